// Test classes run in parallel, as several trainings and scorings run in one user process; ConcurrencyTests pins that
// they cannot corrupt one another. A test that truly shares process state says so with [DoNotParallelize].
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 0)]

namespace MLNet.Recurrent.Tests;

[TestClass]
public static class AssemblySetup
{
    /// <summary>Tiny test models gain nothing from intra-op threads, and one libtorch thread per test cannot oversubscribe a busy 2-core machine.</summary>
    [AssemblyInitialize]
    public static void SingleTorchThread(TestContext _)
    {
        MLNet.Recurrent.TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(1);
    }
}
