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
    ];

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            return Usage(0);
        if (args[0] is "smoke" or "quick" or "full")
        {
            // benchmarks/run.sh calls '<mode> --suite classify|tokenize|lm ...' and expects JSON lines
            // (benchmarks/README.md). Exit code 3 is the harness's "not available yet": its rows read n/a.
            Console.Error.WriteLine($"MLNet.Recurrent.Benchmarks: the harness protocol ('{args[0]} --suite ...') is not available yet; run a subcommand instead (see --help).");
            return 3;
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
        Console.WriteLine();
        foreach (IBenchmark b in Benchmarks)
            Console.WriteLine($"  {b.Name,-12} {b.Description}");
        return code;
    }
}
