namespace CharTextGeneration;

/// <summary>Command-line options of the example.</summary>
internal sealed record Arguments
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

    public const string Usage = """
        CharTextGeneration — a character-level LSTM language model vs an n-gram MLP, on Jane Austen (or any text)
        usage: dotnet run --project examples/CharTextGeneration -c Release -- [options]
          --text PATH          plain-text or .gz file (default: the repo's data/austen/austen.txt.gz)
          --minutes M          training time budget for EACH model, LSTM and n-gram MLP (default 3)
          --lstm-minutes M     a different budget for the LSTM (default: --minutes)
          --epochs N           at most this many epochs (default 20)
          --hidden N           LSTM hidden size (default 384)
          --embedding N        character embedding size (default 64)
          --layers N           LSTM layers (default 2)
          --seq N              truncated-BPTT window in characters (default 16)
          --batch N            parallel streams per batch (default 64)
          --lr X               initial Adam learning rate (default 0.005)
          --dropout X          dropout (default 0)
          --schedule S         learning-rate schedule: constant, linear or cosine decay to 0 over the time budget (default linear)
          --init KIND          LSTM weight initialisation: keras (Glorot input, orthogonal recurrent, forget-gate bias 1) or
                               pytorch (uniform ±1/√hidden) (default keras)
          --beta2 X            Adam's β₂ (default 0.999)
          --warmup N           batches of linear learning-rate warm-up (default 0)
          --clip X             gradient clip norm (default 1)
          --ngram N            characters of context for the n-gram MLPs (default 5)
          --baseline KIND      n-gram MLP baseline(s), each trained for --minutes: notebook (one-hot n-gram tokens, as in the
                               teaching notebook), embedding (embedded characters, Bengio-style), both, or none (default notebook)
          --mlp-early-stopping pick the n-gram MLPs' epochs by early stopping on the last 5% of the training text (at most
                               --epochs), then retrain on all of it for that many (default: train --epochs epochs)
          --seed N             random seed (default 1)
          --threads N          TorchSharp CPU threads (default: libtorch's choice)
          --prompt TEXT        prompt for sampling
          --model PATH         where to save the model zip (default char-lstm.zip)
          --throughput N       also time N training batches: TrainLanguageModel vs a bare TorchSharp loop (default 0 = skip)
        """;

    public static Arguments Parse(string[] args)
    {
        var a = new Arguments();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            int NextInt() => int.TryParse(Next(), out int v) ? v : throw new ArgumentException($"{args[i - 1]} needs an integer.\n{Usage}");
            double NextDouble() => double.TryParse(Next(), System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : throw new ArgumentException($"{args[i - 1]} needs a number.\n{Usage}");
            a = args[i] switch
            {
                "--text" or "--gz" => a with { TextPath = Next() },
                "--minutes" => a with { Minutes = NextDouble() },
                "--lstm-minutes" => a with { LstmMinutes = NextDouble() },
                "--epochs" => a with { Epochs = NextInt() },
                "--hidden" => a with { HiddenSize = NextInt() },
                "--embedding" => a with { EmbeddingSize = NextInt() },
                "--layers" => a with { Layers = NextInt() },
                "--seq" => a with { SequenceLength = NextInt() },
                "--batch" => a with { BatchSize = NextInt() },
                "--lr" => a with { LearningRate = NextDouble() },
                "--dropout" => a with { Dropout = NextDouble() },
                "--schedule" => a with { Schedule = Next().ToLowerInvariant() },
                "--init" => a with { Initialization = Next().ToLowerInvariant() },
                "--beta2" => a with { AdamBeta2 = NextDouble() },
                "--warmup" => a with { WarmupSteps = NextInt() },
                "--clip" => a with { ClipNorm = NextDouble() },
                "--ngram" => a with { NGram = NextInt() },
                "--seed" => a with { Seed = NextInt() },
                "--threads" => a with { Threads = NextInt() },
                "--prompt" => a with { Prompt = Next() },
                "--model" => a with { ModelPath = Next() },
                "--throughput" => a with { ThroughputBatches = NextInt() },
                "--mlp-early-stopping" => a with { MlpEarlyStopping = true },
                "--baseline" => a with { Baseline = Next().ToLowerInvariant() },
                "-h" or "--help" => throw new HelpRequestedException(),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }
        if (a.Schedule is not ("constant" or "linear" or "cosine"))
            throw new ArgumentException($"--schedule must be constant, linear or cosine.\n{Usage}");
        if (a.Initialization is not ("keras" or "pytorch"))
            throw new ArgumentException($"--init must be keras or pytorch.\n{Usage}");
        if (a.Baseline is not ("notebook" or "embedding" or "both" or "none"))
            throw new ArgumentException($"--baseline must be notebook, embedding, both or none.\n{Usage}");
        if (a.Minutes <= 0 || a.LstmMinutes <= 0)
            throw new ArgumentException($"--minutes and --lstm-minutes must be positive.\n{Usage}");
        return a;
    }

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

internal sealed class HelpRequestedException : Exception;
