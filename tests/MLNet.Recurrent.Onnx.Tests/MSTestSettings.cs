// Test classes run one at a time, as in MLNet.Recurrent.Tests (libtorch training is not run concurrently there either).
[assembly: DoNotParallelize]

namespace MLNet.Recurrent.Onnx.Tests;

[TestClass]
public static class AssemblySetup
{
    /// <summary>Tiny test models gain nothing from intra-op threads, and one libtorch thread cannot oversubscribe a busy 2-core machine.</summary>
    [AssemblyInitialize]
    public static void SingleTorchThread(TestContext _)
    {
        MLNet.Recurrent.TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(1);
    }
}
