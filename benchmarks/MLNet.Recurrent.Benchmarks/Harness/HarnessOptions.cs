namespace MLNet.Recurrent.Benchmarks.Harness;

/// <summary>
/// The options <c>benchmarks/run.sh</c> passes to the "ours" side (benchmarks/README.md, "Contract"):
/// <c>&lt;smoke|quick|full&gt; --suite classify|tokenize|lm [--model lstm1|bilstm2] [--threads T] [--epochs E] [--seed S]
/// [--latency-calls N] [--max-rows R] [--max-len L] [--run I] [--data-dir DIR]</c>.
/// </summary>
public sealed record HarnessOptions
{
    /// <summary>smoke, quick or full.</summary>
    public required string Mode { get; init; }

    /// <summary>classify, tokenize or lm.</summary>
    public required string Suite { get; init; }

    /// <summary>lstm1 or bilstm2 (classify only).</summary>
    public string Model { get; init; } = "lstm1";

    /// <summary>libtorch intra-op threads.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Training epochs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Seed of initialisation and shuffling.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Timed single-row calls (after 20 warm-up calls).</summary>
    public int LatencyCalls { get; init; } = 500;

    /// <summary>Timed batched-inference passes over the test set: <c>infer/seq_per_s</c> is their median.</summary>
    public int InferPasses { get; init; } = 3;

    /// <summary>Keep R rows evenly spaced over each file (<c>row[i * n / R]</c>); null keeps all.</summary>
    public int? MaxRows { get; init; }

    /// <summary>Keep the first L tokens of each row; null keeps all.</summary>
    public int? MaxLen { get; init; }

    /// <summary>Repetition index, copied into every line.</summary>
    public int Run { get; init; }

    /// <summary>
    /// Timed tokenization passes after the first (cold) one: <c>tokenize/mb_per_s</c> is their median, after as many
    /// untimed warm-up passes; <c>tokenize/mb_per_s_first_pass</c> is the first full pass of the process.
    /// </summary>
    public int TokenizePasses { get; init; } = 5;

    /// <summary>Folder of austen_train.tsv.gz / austen_test.tsv.gz / austen.txt.gz.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Parses <paramref name="args"/> (the mode first); throws <see cref="ArgumentException"/> with the reason.</summary>
    public static HarnessOptions Parse(string[] args)
    {
        string mode = args[0];
        BenchmarkArgs a = BenchmarkArgs.Parse(args.AsSpan(1));
        string suite = a.Get("suite", "");
        if (suite is not ("classify" or "tokenize" or "lm"))
            throw new ArgumentException($"--suite must be classify, tokenize or lm, not '{suite}'.");
        string model = a.Get("model", "lstm1");
        if (model is not ("lstm1" or "bilstm2"))
            throw new ArgumentException($"--model must be lstm1 or bilstm2, not '{model}'.");
        string? dataDir = a.Get("data-dir", "") is { Length: > 0 } d ? d
            : Environment.GetEnvironmentVariable("AUSTEN_DATA_DIR") is { Length: > 0 } env ? env
            : AustenData.Folder();
        return new HarnessOptions
        {
            Mode = mode,
            Suite = suite,
            Model = model,
            Threads = a.GetInt("threads", 1),
            Epochs = a.GetInt("epochs", mode == "full" ? 3 : 1),
            Seed = a.GetNonNegativeInt("seed", 42),
            LatencyCalls = a.GetInt("latency-calls", 500),
            InferPasses = a.GetInt("infer-passes", mode == "smoke" ? 1 : 3),
            MaxRows = a.Has("max-rows") ? a.GetInt("max-rows", 0) : null,
            MaxLen = a.Has("max-len") ? a.GetInt("max-len", 0) : null,
            Run = a.GetNonNegativeInt("run", 0),
            TokenizePasses = a.GetInt("tokenize-passes", mode == "smoke" ? 1 : 5),
            DataDirectory = dataDir,
        };
    }

    /// <summary>The rows <c>row[i * n / R]</c> for i &lt; R when <see cref="MaxRows"/> is set (the files are ordered by novel).</summary>
    public List<T> Subsample<T>(List<T> rows) =>
        MaxRows is { } r && r < rows.Count ? Enumerable.Range(0, r).Select(i => rows[(int)((long)i * rows.Count / r)]).ToList() : rows;
}
