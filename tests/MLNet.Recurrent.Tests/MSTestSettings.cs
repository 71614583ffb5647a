[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]

namespace MLNet.Recurrent.Tests;

[TestClass]
public static class AssemblySetup
{
    /// <summary>Two test classes run at once on a 2-core machine: one libtorch thread each avoids oversubscription.</summary>
    [AssemblyInitialize]
    public static void SingleTorchThread(TestContext _)
    {
        MLNet.Recurrent.TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(1);
    }
}
