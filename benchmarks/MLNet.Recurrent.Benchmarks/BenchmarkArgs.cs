namespace MLNet.Recurrent.Benchmarks;

/// <summary><c>--name value</c> options of a benchmark subcommand.</summary>
public sealed class BenchmarkArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public static BenchmarkArgs Parse(ReadOnlySpan<string> args)
    {
        var result = new BenchmarkArgs();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            result._values[args[i][2..]] = args[++i];
        }
        return result;
    }

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public bool Has(string name) => _values.ContainsKey(name);

    public int GetNonNegativeInt(string name, int fallback) =>
        _values.TryGetValue(name, out string? v) ? int.TryParse(v, out int n) && n >= 0 ? n : throw new ArgumentException($"--{name} must be a non-negative integer.") : fallback;

    public int GetInt(string name, int fallback) =>
        _values.TryGetValue(name, out string? v) ? int.TryParse(v, out int n) && n > 0 ? n : throw new ArgumentException($"--{name} must be a positive integer.") : fallback;
}
