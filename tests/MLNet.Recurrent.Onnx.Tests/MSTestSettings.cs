// Test classes run in parallel, as in MLNet.Recurrent.Tests: each test owns its models, contexts and sessions.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 0)]

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
