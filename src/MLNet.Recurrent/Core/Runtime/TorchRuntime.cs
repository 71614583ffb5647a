using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace MLNet.Recurrent;

/// <summary>
/// Loads TorchSharp's native layer once, up front, and turns every load failure into one
/// <see cref="TorchSharpLoadException"/> that says what went wrong and how to fix it (instead of
/// TorchSharp's TypeInitializationException, which also tries to copy ~500 MB of libtorch first).
/// </summary>
internal static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Throws <see cref="TorchSharpLoadException"/> unless TorchSharp can run on this machine.</summary>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } failure)
            throw new TorchSharpLoadException(failure.Message, failure.InnerException);
    }

    private static Exception? TryLoad()
    {
        if (ProbeNativeLibrary(FindLibTorchSharp()) is { } probeFailure)
            return probeFailure;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            // oneDNN's LSTM inference path gives wrong results for some shapes in this libtorch (see the class).
            OneDnnRecurrentWorkaround.DisableOneDnn();
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return Explain(e);
        }
    }

    /// <summary>The libLibTorchSharp the runtime would load, when it can be found beside TorchSharp.dll.</summary>
    internal static string? FindLibTorchSharp()
    {
        string? dir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (string.IsNullOrEmpty(dir) || !OperatingSystem.IsLinux())
            return null;
        string[] candidates =
        {
            Path.Combine(dir, "libLibTorchSharp.so"),
            Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", "libLibTorchSharp.so"),
            Path.Combine(dir, "runtimes", "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "native", "libLibTorchSharp.so"),
        };
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Tries to dlopen <paramref name="path"/> and returns a <see cref="TorchSharpLoadException"/> describing
    /// the failure, or null when it loads (or there is nothing to probe).
    /// </summary>
    internal static TorchSharpLoadException? ProbeNativeLibrary(string? path)
    {
        if (path is null)
            return null;
        try
        {
            NativeLibrary.Load(path);
            return null;
        }
        catch (DllNotFoundException e)
        {
            return Explain(e, path);
        }
        catch (BadImageFormatException e)
        {
            return Explain(e, path);
        }
    }

    internal static TorchSharpLoadException Explain(Exception e, string? path = null)
    {
        string text = Flatten(e);
        string where = path is null ? "TorchSharp's native library" : $"'{path}'";
        if (text.Contains("GLIBCXX_", StringComparison.Ordinal))
        {
            return new TorchSharpLoadException(
                $"TorchSharp cannot load {where}: the host's libstdc++ is older than the one TorchSharp {TorchSharpVersion} was built against " +
                "(it needs GLIBCXX_3.4.32, from GCC 13; Debian 12 and Ubuntu 22.04 ship GLIBCXX_3.4.30). " +
                "Fix: build the application with MLNet.Recurrent's build targets, which patch the build-output copy of libLibTorchSharp.so " +
                "(automatic with the MLNet.Recurrent NuGet package; with a ProjectReference, import src/MLNet.Recurrent/buildTransitive/MLNet.Recurrent.targets), " +
                "or run 'dotnet MLNet.Recurrent.NativeFix.dll <output folder>' after copying the files, or use a distribution with GCC 13+ libstdc++ (Debian 13, Ubuntu 24.04).",
                e);
        }
        if (text.Contains("doesn't contain a reference to libtorch", StringComparison.Ordinal) || text.Contains("libtorch", StringComparison.OrdinalIgnoreCase) && text.Contains("cannot open shared object", StringComparison.Ordinal))
        {
            return new TorchSharpLoadException(
                $"TorchSharp cannot find the libtorch native binaries for {RuntimeInformation.RuntimeIdentifier}. " +
                "Fix: add a backend package to the application project: <PackageReference Include=\"TorchSharp-cpu\" Version=\"" + TorchSharpVersion + "\" /> " +
                "(or TorchSharp-cuda-linux / TorchSharp-cuda-windows for a GPU). The MLNet.Recurrent library references only the managed TorchSharp package.",
                e);
        }
        return new TorchSharpLoadException($"TorchSharp could not load its native library {where}: {FirstLine(text)}", e);
    }

    private static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";

    private static string Flatten(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
            parts.Add(x.Message);
        return string.Join(" | ", parts);
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n');
        return nl < 0 ? s : s[..nl].TrimEnd();
    }
}
