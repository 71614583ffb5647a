using System.Diagnostics;

namespace MLNet.Recurrent.Benchmarks;

/// <summary>Timing helpers: interleaved repetitions of several candidates and the median.</summary>
public static class Stopwatches
{
    /// <summary>Wall-clock and process CPU seconds of one run.</summary>
    public readonly record struct Sample(double WallSeconds, double CpuSeconds);

    /// <summary>
    /// Runs every candidate <paramref name="warmups"/> times (so the JIT's tier-1 code is in place; a short pause lets the
    /// background compiler finish), then <paramref name="repetitions"/> rounds in which each candidate runs once
    /// (interleaved, so machine noise spreads over all of them); returns each candidate's samples. CPU time is the whole
    /// process's (all threads), which is steadier than wall-clock time when other jobs share the machine.
    /// </summary>
    public static Dictionary<string, List<Sample>> Interleaved(IReadOnlyList<(string Name, Action Run)> candidates, int repetitions, int warmups = 3)
    {
        var samples = candidates.ToDictionary(c => c.Name, _ => new List<Sample>());
        for (int w = 0; w < warmups; w++)
        {
            foreach (var (_, run) in candidates)
                run();
            Thread.Sleep(200);
        }
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < repetitions; r++)
        {
            foreach (var (name, run) in candidates)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                process.Refresh();
                TimeSpan cpu = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                run();
                watch.Stop();
                process.Refresh();
                samples[name].Add(new Sample(watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds));
            }
        }
        return samples;
    }

    /// <summary>The median wall-clock seconds.</summary>
    public static double MedianWall(IReadOnlyList<Sample> samples) => Median(samples.Select(s => s.WallSeconds));

    /// <summary>The median CPU seconds.</summary>
    public static double MedianCpu(IReadOnlyList<Sample> samples) => Median(samples.Select(s => s.CpuSeconds));

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
