using System.Text.Json.Nodes;
using Microsoft.ML;

namespace MLNet.Recurrent.Accuracy;

/// <summary>Result lines on stdout (one JSON object per line) and the facts about the process written into them.</summary>
internal static class Output
{
    private static readonly object Gate = new();

    public static void Line(JsonObject line)
    {
        lock (Gate)
        {
            Console.Out.WriteLine(line.ToJsonString());
            Console.Out.Flush();
        }
    }

    /// <summary>Peak resident set size (VmHWM) in MiB.</summary>
    public static double? PeakRssMb()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
        }
        catch (IOException)
        {
        }
        return null;
    }

    public static JsonObject Environment()
    {
        string cpu = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }
        return new JsonObject
        {
            ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["mlnet"] = Version(typeof(MLContext)),
            ["mlnet_recurrent"] = Version(typeof(RecurrentTrainer)),
            ["cpu"] = cpu,
            ["cores"] = System.Environment.ProcessorCount,
        };
    }

    private static string? Version(Type type) =>
        type.Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
}
