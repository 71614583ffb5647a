using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Sets libtorch's intra-op thread count for the calling thread until disposed, then sets back the count it had.
/// libtorch's CPU build parallelizes ops with OpenMP, whose count is per calling thread, but part of the setting is
/// shared by the process (threads starting to use libtorch take the last count set anywhere, and setting it on one
/// thread was measured to slow others: see <see cref="TorchWorkers"/>), so scopes are kept short.
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

    /// <summary>
    /// Forward passes of one row (or one generated stream) whose recurrent layers multiply fewer weights than this per
    /// time step run on one intra-op thread (LSTM-128 over 64-wide embeddings: about 98 K; a 2×256 character LSTM
    /// with its output layer: about 0.9 M). Splitting such a step's small ops over threads was slower: one LSTM-128 row
    /// took 0.25 ms on one thread and 0.50 ms on two (docs/performance-notes.md, "Intra-op threads hurt small recurrent steps").
    /// </summary>
    public const long SingleThreadedStepWeights = 1 << 21;

    /// <summary>The intra-op thread count on the calling thread.</summary>
    public static int Current => get_num_threads();

    /// <summary>Runs the calling thread's ops on <paramref name="threads"/> threads until disposed, then restores its current count.</summary>
    public static IntraOpThreads Use(int threads) => new(threads, get_num_threads());

    /// <summary>
    /// One intra-op thread on the CPU for a network of <paramref name="stepWeights"/> weights per time step below
    /// <see cref="SingleThreadedStepWeights"/>; otherwise leaves the count alone.
    /// </summary>
    public static IntraOpThreads ForSmallSteps(Device device, long stepWeights) =>
        device.type == DeviceType.CPU && stepWeights is > 0 and < SingleThreadedStepWeights ? Use(1) : default;

    /// <inheritdoc />
    public void Dispose()
    {
        if (restoreTo > 0 && get_num_threads() != restoreTo)
            set_num_threads(restoreTo);
    }
}
