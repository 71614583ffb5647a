using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Sets libtorch's intra-op thread count for the calling thread until disposed. libtorch's CPU build parallelizes ops
/// with OpenMP, whose thread count is per calling thread (<c>omp_set_num_threads</c>; MKL's is set thread-locally too),
/// so this does not change the count other threads already use. Threads that call libtorch for the first time while a
/// scope is open start with the count last set anywhere in the process (libtorch's shared default), which
/// <see cref="Dispose"/> sets back.
/// </summary>
internal readonly struct IntraOpThreads : IDisposable
{
    private readonly int restoreTo;

    private IntraOpThreads(int threads, int restoreTo)
    {
        this.restoreTo = restoreTo;
        if (threads != restoreTo)
            set_num_threads(threads);
    }

    /// <summary>The intra-op thread count on the calling thread.</summary>
    public static int Current => get_num_threads();

    /// <summary>Runs the calling thread's ops on <paramref name="threads"/> threads until disposed, then restores its current count.</summary>
    public static IntraOpThreads Use(int threads) => new(threads, get_num_threads());

    /// <inheritdoc />
    public void Dispose()
    {
        if (restoreTo > 0 && get_num_threads() != restoreTo)
            set_num_threads(restoreTo);
    }
}
