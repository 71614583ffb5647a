using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>Parses the <c>Device</c> option ("auto", "cpu", "cuda", "cuda:1") and falls back to the CPU when CUDA is absent.</summary>
internal static class TorchDevices
{
    /// <summary>Validates the text of a Device option; throws <see cref="ArgumentException"/> naming <paramref name="optionName"/>.</summary>
    public static void Validate(string? text, string optionName)
    {
        string s = (text ?? "auto").Trim().ToLowerInvariant();
        if (s is "auto" or "cpu" or "cuda")
            return;
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out int index) && index >= 0)
            return;
        throw new ArgumentException($"{optionName} is '{text}'; it must be 'auto', 'cpu', 'cuda' or 'cuda:N' (N ≥ 0).", optionName);
    }

    /// <summary>Resolves the device and returns a log line saying which was used and why.</summary>
    public static Device Resolve(string? text, out string message)
    {
        TorchRuntime.EnsureLoaded();
        string s = (text ?? "auto").Trim().ToLowerInvariant();
        if (s == "cpu")
        {
            message = "Using device cpu.";
            return CPU;
        }
        bool cudaAvailable = cuda.is_available();
        if (!cudaAvailable)
        {
            message = s == "auto"
                ? "Using device cpu (no CUDA device available)."
                : $"Device '{text}' was requested but CUDA is not available (reference TorchSharp-cuda-linux/-windows and check the driver); falling back to cpu.";
            return CPU;
        }
        int index = s.StartsWith("cuda:", StringComparison.Ordinal) ? int.Parse(s.AsSpan(5)) : 0;
        int count = cuda.device_count();
        if (index >= count)
        {
            message = $"Device '{text}' was requested but only {count} CUDA device(s) exist; falling back to cuda:0.";
            index = 0;
        }
        else
        {
            message = $"Using device cuda:{index}.";
        }
        return new Device(DeviceType.CUDA, index);
    }
}
