using System.Diagnostics;

namespace MLNet.Recurrent.Benchmarks;

/// <summary>Timing helpers: interleaved repetitions of several candidates and the median.</summary>
public static class Stopwatches
{
    /// <summary>
    /// Runs every candidate once as a warm-up, then <paramref name="repetitions"/> rounds in which each candidate runs once
    /// (interleaved, so machine noise spreads over all of them); returns each candidate's seconds per round.
    /// </summary>
    public static Dictionary<string, List<double>> Interleaved(IReadOnlyList<(string Name, Action Run)> candidates, int repetitions)
    {
        var times = candidates.ToDictionary(c => c.Name, _ => new List<double>());
        foreach (var (_, run) in candidates)
            run();
        for (int r = 0; r < repetitions; r++)
        {
            foreach (var (name, run) in candidates)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var watch = Stopwatch.StartNew();
                run();
                times[name].Add(watch.Elapsed.TotalSeconds);
            }
        }
        return times;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
