using System.Runtime.InteropServices;
using TorchSharp;

namespace MLNet.Recurrent;

/// <summary>
/// libtorch 2.10 (TorchSharp 0.107, CPU) runs a fused <c>nn.LSTM</c> through oneDNN, and oneDNN's inference path (taken
/// under <c>no_grad</c>) returns wrong outputs for some shapes: measured on this project's machines (AMD EPYC, AVX2),
/// hidden sizes ≤ 16, 33, 48 and 100 differ from the gradient-mode result and from <c>LSTMCell</c> by 0.1–0.7, while 17–31,
/// 50, 64, 128 and 256 agree. GRU and RNN do not use oneDNN. Turning oneDNN off (PyTorch's
/// <c>torch.backends.mkldnn.enabled = False</c>) makes every shape correct and is no slower for recurrent training on
/// the CPU. TorchSharp does not expose that switch, so this calls <c>at::globalContext().setUserEnabledMkldnn(false)</c>
/// in libtorch directly, once per process. The switch is process-wide (it also affects oneDNN convolutions).
/// </summary>
internal static class OneDnnRecurrentWorkaround
{
    private static readonly (string GlobalContext, string SetEnabled, string GetEnabled)[] Symbols =
    {
        // Itanium C++ ABI (Linux, macOS).
        ("_ZN2at13globalContextEv", "_ZN2at7Context20setUserEnabledMkldnnEb", "_ZNK2at7Context17userEnabledMkldnnEv"),
        // MSVC (Windows).
        ("?globalContext@at@@YAAEAVContext@1@XZ", "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z", "?userEnabledMkldnn@Context@at@@QEBA_NXZ"),
    };

    /// <summary>Null when oneDNN was turned off; otherwise why it could not be.</summary>
    public static string? Problem { get; private set; }

    /// <summary>Whether <see cref="DisableOneDnn"/> has turned oneDNN off in this process.</summary>
    public static bool OneDnnDisabled { get; private set; }

    /// <summary>Turns oneDNN off in libtorch; returns false (and sets <see cref="Problem"/>) when libtorch's symbols cannot be found.</summary>
    public static bool DisableOneDnn()
    {
        IntPtr library = LoadTorchCpu();
        if (library == IntPtr.Zero)
        {
            Problem = "libtorch_cpu was not found beside TorchSharp.";
            return false;
        }
        foreach (var (globalContext, setEnabled, getEnabled) in Symbols)
        {
            if (!NativeLibrary.TryGetExport(library, globalContext, out IntPtr context) || !NativeLibrary.TryGetExport(library, setEnabled, out IntPtr set)
                || !NativeLibrary.TryGetExport(library, getEnabled, out IntPtr get))
                continue;
            IntPtr instance = Marshal.GetDelegateForFunctionPointer<GlobalContext>(context)();
            Marshal.GetDelegateForFunctionPointer<SetEnabled>(set)(instance, 0);
            bool enabled = Marshal.GetDelegateForFunctionPointer<GetEnabled>(get)(instance) != 0;
            Problem = enabled ? "libtorch kept oneDNN enabled." : null;
            OneDnnDisabled = !enabled;
            return !enabled;
        }
        Problem = "libtorch_cpu does not export at::Context::setUserEnabledMkldnn.";
        return false;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.ThisCall)]
    private delegate void SetEnabled(IntPtr context, byte enabled);

    [UnmanagedFunctionPointer(CallingConvention.ThisCall)]
    private delegate byte GetEnabled(IntPtr context);

    /// <summary>The libtorch_cpu TorchSharp already loaded: by bare name first (the loader returns the loaded copy), then beside TorchSharp.</summary>
    private static IntPtr LoadTorchCpu()
    {
        string[] names = OperatingSystem.IsWindows() ? new[] { "torch_cpu.dll" } : OperatingSystem.IsMacOS() ? new[] { "libtorch_cpu.dylib" } : new[] { "libtorch_cpu.so" };
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out IntPtr loaded))
                return loaded;
        }
        var folders = new List<string?> { Path.GetDirectoryName(typeof(torch).Assembly.Location), AppContext.BaseDirectory };
        foreach (string? folder in folders.Where(f => !string.IsNullOrEmpty(f)))
        {
            foreach (string name in names)
            {
                foreach (string candidate in new[] { Path.Combine(folder!, name), Path.Combine(folder!, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", name), Path.Combine(folder!, "cpu", name) })
                {
                    if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out IntPtr handle))
                        return handle;
                }
            }
        }
        return IntPtr.Zero;
    }
}
