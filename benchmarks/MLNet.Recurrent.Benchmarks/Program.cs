namespace MLNet.Recurrent.Benchmarks;

/// <summary>
/// Benchmark runner: <c>dotnet run -c Release --project benchmarks/MLNet.Recurrent.Benchmarks -- &lt;command&gt; [options]</c>.
/// Each benchmark is one <see cref="IBenchmark"/> in its own file; add new ones to <see cref="Benchmarks"/>.
/// </summary>
public static class Program
{
    private static readonly IBenchmark[] Benchmarks =
    [
        new TokenizeBenchmark(),
        new InferenceBenchmark(),
        new OverheadBenchmark(),
        new StabilityBenchmark(),
        new OnnxInferenceBenchmark(),
        new CharLanguageModel.CharLanguageModelBenchmark(),
    ];

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            return Usage(0);
        if (args[0] is "smoke" or "quick" or "full")
        {
            // benchmarks/run.sh's protocol: '<mode> --suite classify|tokenize|lm ...', JSON lines on stdout (benchmarks/README.md).
            Harness.HarnessOptions options;
            try
            {
                options = Harness.HarnessOptions.Parse(args);
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            return options.Suite switch
            {
                "classify" => Harness.ClassifySuite.Run(options),
                "tokenize" => Harness.TokenizeSuite.Run(options),
                _ => Harness.LanguageModelSuite.Run(options),
            };
        }
        IBenchmark? benchmark = Benchmarks.FirstOrDefault(b => string.Equals(b.Name, args[0], StringComparison.OrdinalIgnoreCase));
        if (benchmark is null)
        {
            Console.Error.WriteLine($"Unknown benchmark '{args[0]}'.");
            return Usage(2);
        }
        try
        {
            return benchmark.Run(BenchmarkArgs.Parse(args.AsSpan(1)));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    private static int Usage(int code)
    {
        Console.WriteLine("usage: MLNet.Recurrent.Benchmarks <command> [--name value ...]");
        Console.WriteLine("       MLNet.Recurrent.Benchmarks smoke|quick|full --suite classify|tokenize|lm [--model lstm1|bilstm2] [--threads T]");
        Console.WriteLine("           [--epochs E] [--seed S] [--latency-calls N] [--max-rows R] [--max-len L] [--run I] [--data-dir DIR]");
        Console.WriteLine("           (benchmarks/run.sh's protocol: JSON lines on stdout, see benchmarks/README.md)");
        Console.WriteLine();
        foreach (IBenchmark b in Benchmarks)
            Console.WriteLine($"  {b.Name,-12} {b.Description}");
        return code;
    }
}
