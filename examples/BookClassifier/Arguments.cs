namespace BookClassifier;

/// <summary>Command-line options of the example.</summary>
internal sealed record Arguments
{
    public string Cell { get; init; } = "lstm";
    public bool Bidirectional { get; init; } = true;
    public int Layers { get; init; } = 1;
    public int Epochs { get; init; } = 7;
    public int HiddenSize { get; init; } = 64;
    public string Pooling { get; init; } = "max";
    public string Device { get; init; } = "auto";
    public int Threads { get; init; }
    public int Seed { get; init; } = 1;
    public int EmbeddingSize { get; init; } = 256;
    public double Dropout { get; init; } = 0.5;
    public double LearningRate { get; init; } = 4e-3;
    public int BatchSize { get; init; } = 64;
    public int MaximumLength { get; init; } = 160;
    public int MinimumFrequency { get; init; } = 2;
    public double ValidationFraction { get; init; } = 0.1;
    public string? AgNewsTrain { get; init; }
    public string? AgNewsTest { get; init; }
    public string? DataDirectory { get; init; }
    public string ModelPath { get; init; } = "book-classifier.zip";

    public const string Usage = """
        BookClassifier — which Jane Austen novel is a paragraph from? (6 classes)
        usage: dotnet run --project examples/BookClassifier -c Release -- [options]
          --cell lstm|gru|rnn         recurrent cell (default lstm)
          --bidirectional / --unidirectional   (default bidirectional)
          --layers N                  stacked recurrent layers (default 1)
          --epochs N                  training epochs (default 7)
          --hidden N                  hidden size per direction (default 64)
          --pooling last|mean|max     sequence pooling (default max)
          --device auto|cpu|cuda[:n]  (default auto: CUDA when available, else CPU)
          --threads N                 TorchSharp CPU threads (default: library default)
          --seed N                    random seed (default 1)
          --embedding N               embedding size (default 256)
          --dropout X                 dropout before the output layer (default 0.5)
          --lr X                      Adam learning rate, decayed linearly to 0 (default 0.004)
          --batch N                   batch size (default 64)
          --max-length N              keep the first N words of a paragraph (default 160)
          --min-frequency N           words seen fewer times become <unk> (default 2)
          --validation-fraction X     training rows held out for the per-epoch validation line; 0 trains on all
                                      rows and shows training figures only (default 0.1)
          --data DIR                  folder with austen_train.tsv.gz / austen_test.tsv.gz (default: the repo's data/austen)
          --agnews TRAIN.csv TEST.csv use the AG News CSV files ("class","title","description") instead
          --model PATH                where to save the model zip (default book-classifier.zip)
        """;

    public static Arguments Parse(string[] args)
    {
        var a = new Arguments();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            double NextDouble() => double.TryParse(Next(), System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : throw new ArgumentException($"{args[i - 1]} needs a number.\n{Usage}");
            int NextInt() => int.TryParse(Next(), out int v) ? v : throw new ArgumentException($"{args[i - 1]} needs an integer.\n{Usage}");
            a = args[i] switch
            {
                "--cell" => a with { Cell = Next().ToLowerInvariant() },
                "--bidirectional" => a with { Bidirectional = true },
                "--unidirectional" => a with { Bidirectional = false },
                "--layers" => a with { Layers = NextInt() },
                "--epochs" => a with { Epochs = NextInt() },
                "--hidden" => a with { HiddenSize = NextInt() },
                "--pooling" => a with { Pooling = Next().ToLowerInvariant() },
                "--device" => a with { Device = Next() },
                "--threads" => a with { Threads = NextInt() },
                "--seed" => a with { Seed = NextInt() },
                "--embedding" => a with { EmbeddingSize = NextInt() },
                "--dropout" => a with { Dropout = NextDouble() },
                "--lr" => a with { LearningRate = NextDouble() },
                "--batch" => a with { BatchSize = NextInt() },
                "--max-length" => a with { MaximumLength = NextInt() },
                "--min-frequency" => a with { MinimumFrequency = NextInt() },
                "--validation-fraction" => a with { ValidationFraction = NextDouble() },
                "--data" => a with { DataDirectory = Next() },
                "--agnews" => a with { AgNewsTrain = Next(), AgNewsTest = Next() },
                "--model" => a with { ModelPath = Next() },
                "-h" or "--help" => throw new HelpRequestedException(),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }
        return a;
    }
}

internal sealed class HelpRequestedException : Exception;
