using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML;

namespace MLNet.Recurrent.Benchmarks.Harness;

/// <summary>
/// Writes measurement lines of the benchmarks/README.md schema (<c>"side": "ours"</c>) to stdout, one JSON object per
/// line; logs go to stderr.
/// </summary>
public sealed class HarnessOutput(HarnessOptions options)
{
    private readonly Dictionary<string, object?> _env = Describe(options);

    /// <summary>Extra environment fields (e.g. the libtorch thread count actually in force).</summary>
    public void AddEnvironment(string key, object? value) => _env[key] = value;

    /// <summary>One measurement line; NaN values are not written (the report would drop them anyway).</summary>
    public void Emit(string task, string model, int threads, string metric, double value, object? detail = null)
    {
        if (!double.IsFinite(value))
        {
            Log($"{task}/{metric} ({model}, {threads} thread(s)) produced no figure ({value}); not written");
            return;
        }
        var line = new Dictionary<string, object?>
        {
            ["side"] = "ours", ["task"] = task, ["model"] = model, ["threads"] = threads, ["metric"] = metric,
            ["value"] = value, ["run"] = options.Run, ["detail"] = detail, ["env"] = _env,
        };
        Console.Out.WriteLine(JsonSerializer.Serialize(line));
        Console.Out.Flush();
    }

    /// <summary>A progress line on stderr.</summary>
    public static void Log(string message) => Console.Error.WriteLine($"[ours] {message}");

    /// <summary>Peak resident set size (VmHWM) in MiB, the same figure as Python's <c>ru_maxrss</c>.</summary>
    public static double PeakRssMb()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
        return double.NaN;
    }

    /// <summary>Seconds from the process's start to now (runtime start-up, JIT of Main, whatever ran before).</summary>
    public static double SecondsSinceProcessStart()
    {
        using var self = Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalSeconds;
    }

    private static Dictionary<string, object?> Describe(HarnessOptions options)
    {
        string cpu = "unknown";
        try { cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu; }
        catch (IOException) { }
        return new Dictionary<string, object?>
        {
            // libtorch's official CPU builds (which TorchSharp-cpu ships) link Intel MKL statically into libtorch_cpu.so
            // ("Intel(R) oneAPI Math Kernel Library" is in the binary); there is no separate BLAS library to switch.
            ["blas"] = "mkl",
            ["blas_libs"] = "MKL linked statically into libtorch_cpu.so (TorchSharp-cpu)",
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["torchsharp"] = Version(typeof(TorchSharp.torch).Assembly),
            ["mlnet"] = Version(typeof(MLContext).Assembly),
            ["mlnet_recurrent"] = Version(typeof(RecurrentTrainerOptions).Assembly),
            ["onednn"] = "off (MLNet.Recurrent turns libtorch's oneDNN off process-wide, see docs/performance-notes.md)",
            ["cpu"] = cpu,
            ["cores"] = Environment.ProcessorCount,
            ["mode"] = options.Mode,
            ["epochs"] = options.Epochs,
            ["seed"] = options.Seed,
            ["max_rows"] = options.MaxRows,
            ["max_len"] = options.MaxLen,
            ["omp_num_threads"] = Environment.GetEnvironmentVariable("OMP_NUM_THREADS"),
            ["malloc"] = Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is null ? "glibc defaults" : "tuned",
        };
    }

    private static string? Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? assembly.GetName().Version?.ToString();
}
