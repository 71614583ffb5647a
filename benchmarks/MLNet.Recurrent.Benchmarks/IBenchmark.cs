namespace MLNet.Recurrent.Benchmarks;

/// <summary>One benchmark subcommand.</summary>
public interface IBenchmark
{
    /// <summary>The subcommand name.</summary>
    string Name { get; }

    /// <summary>One line for the usage text (mention the options).</summary>
    string Description { get; }

    /// <summary>Runs the benchmark, prints results, returns the process exit code.</summary>
    int Run(BenchmarkArgs args);
}
