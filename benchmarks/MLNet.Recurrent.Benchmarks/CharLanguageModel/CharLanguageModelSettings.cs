using System.Globalization;

namespace MLNet.Recurrent.Benchmarks.CharLanguageModel;

/// <summary>Settings of the <c>charlm</c> benchmark (<c>--name value</c> pairs; defaults are those of the 10-minute run in docs/benchmarks.md except the budget).</summary>
public sealed record CharLanguageModelSettings
{
    public string? TextPath { get; init; }
    public double Minutes { get; init; } = 3;
    public double? LstmMinutes { get; init; }
    public int Epochs { get; init; } = 20;
    public int HiddenSize { get; init; } = 384;
    public int EmbeddingSize { get; init; } = 64;
    public int Layers { get; init; } = 2;
    public int SequenceLength { get; init; } = 16;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 0.005;
    public double Dropout { get; init; }
    public string Schedule { get; init; } = "linear";
    public string Initialization { get; init; } = "keras";
    public int WarmupSteps { get; init; }
    public double AdamBeta2 { get; init; } = 0.999;
    public double ClipNorm { get; init; } = 1.0;
    public int NGram { get; init; } = 5;
    public int Seed { get; init; } = 1;
    public int Threads { get; init; }
    public string Prompt { get; init; } = "It is a truth universally acknowledged, that ";
    public string ModelPath { get; init; } = "char-lstm.zip";
    public int ThroughputBatches { get; init; }
    public string Baseline { get; init; } = "notebook";
    public bool MlpEarlyStopping { get; init; }

    /// <summary>The options and their defaults, for the usage line.</summary>
    public const string OptionsSummary = "--text PATH --minutes 3 --lstm-minutes M --epochs 20 --hidden 384 --embedding 64 --layers 2 --seq 16 --batch 64 --lr 0.005 " +
        "--dropout 0 --schedule linear|cosine|constant --init keras|pytorch --beta2 0.999 --warmup 0 --clip 1 --ngram 5 --seed 1 --threads N --prompt TEXT " +
        "--model PATH --throughput N --baseline notebook|embedding|both|none --mlp-early-stopping true|false";

    /// <summary>Reads the settings from <c>--name value</c> pairs.</summary>
    /// <exception cref="ArgumentException">A value out of range or not a number (the message names the option).</exception>
    public static CharLanguageModelSettings From(BenchmarkArgs args)
    {
        var d = new CharLanguageModelSettings();
        var a = new CharLanguageModelSettings
        {
            TextPath = args.Has("text") ? args.Get("text", "") : null,
            Minutes = Number(args, "minutes", d.Minutes),
            LstmMinutes = args.Has("lstm-minutes") ? Number(args, "lstm-minutes", 0) : null,
            Epochs = args.GetInt("epochs", d.Epochs),
            HiddenSize = args.GetInt("hidden", d.HiddenSize),
            EmbeddingSize = args.GetInt("embedding", d.EmbeddingSize),
            Layers = args.GetInt("layers", d.Layers),
            SequenceLength = args.GetInt("seq", d.SequenceLength),
            BatchSize = args.GetInt("batch", d.BatchSize),
            LearningRate = Number(args, "lr", d.LearningRate),
            Dropout = Number(args, "dropout", d.Dropout),
            Schedule = args.Get("schedule", d.Schedule).ToLowerInvariant(),
            Initialization = args.Get("init", d.Initialization).ToLowerInvariant(),
            WarmupSteps = args.GetNonNegativeInt("warmup", d.WarmupSteps),
            AdamBeta2 = Number(args, "beta2", d.AdamBeta2),
            ClipNorm = Number(args, "clip", d.ClipNorm),
            NGram = args.GetInt("ngram", d.NGram),
            Seed = args.GetNonNegativeInt("seed", d.Seed),
            Threads = args.GetNonNegativeInt("threads", d.Threads),
            Prompt = args.Get("prompt", d.Prompt),
            ModelPath = args.Get("model", d.ModelPath),
            ThroughputBatches = args.GetNonNegativeInt("throughput", d.ThroughputBatches),
            Baseline = args.Get("baseline", d.Baseline).ToLowerInvariant(),
            MlpEarlyStopping = bool.TryParse(args.Get("mlp-early-stopping", "false"), out bool stop) ? stop : throw new ArgumentException("--mlp-early-stopping must be true or false."),
        };
        if (a.Schedule is not ("constant" or "linear" or "cosine"))
            throw new ArgumentException("--schedule must be constant, linear or cosine.");
        if (a.Initialization is not ("keras" or "pytorch"))
            throw new ArgumentException("--init must be keras or pytorch.");
        if (a.Baseline is not ("notebook" or "embedding" or "both" or "none"))
            throw new ArgumentException("--baseline must be notebook, embedding, both or none.");
        if (a.Minutes <= 0 || a.LstmMinutes <= 0)
            throw new ArgumentException("--minutes and --lstm-minutes must be positive.");
        return a;
    }

    private static double Number(BenchmarkArgs args, string name, double fallback) =>
        !args.Has(name) ? fallback
        : double.TryParse(args.Get(name, ""), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
        : throw new ArgumentException($"--{name} must be a number.");

    /// <summary>The text to use: --text, else data/austen/austen.txt.gz under the repository root, else the shared copy beside the repository.</summary>
    public string ResolveText()
    {
        if (TextPath is not null)
            return File.Exists(TextPath) ? TextPath : throw new FileNotFoundException($"--text {TextPath}: no such file.");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "MLNet.Recurrent.sln")))
                continue;
            foreach (string candidate in new[] { Path.Combine(dir.FullName, "data", "austen", "austen.txt.gz"), Path.Combine(dir.FullName, "..", "shared", "data", "austen", "austen.txt.gz") })
            {
                if (File.Exists(candidate))
                    return Path.GetFullPath(candidate);
            }
            throw new FileNotFoundException($"The Austen text is not at {Path.Combine(dir.FullName, "data", "austen", "austen.txt.gz")} (nor in ../shared/data/austen). Pass --text PATH with any plain-text or .gz file.");
        }
        throw new FileNotFoundException("Could not find the repository root (MLNet.Recurrent.sln) above the program; pass --text PATH.");
    }
}
