using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Training draws from libtorch's process-wide random generator (dropout, optimizer-free ops). To make "same seed,
/// same data → bit-identical model" hold even when several models train in one process, training holds this lock
/// and re-seeds the global generator; parameter initialisation uses a private <see cref="Generator"/>.
/// </summary>
internal static class TorchDeterminism
{
    private static readonly object Gate = new();

    /// <summary>
    /// Runs <paramref name="body"/> under the training lock without seeding: for work outside training that draws from the
    /// global generator (module construction), so it cannot change the random stream of a training in another thread.
    /// </summary>
    public static T Exclusive<T>(Func<T> body)
    {
        lock (Gate)
            return body();
    }

    /// <summary>Runs <paramref name="body"/> under the training lock with the global generator seeded.</summary>
    public static T Run<T>(int seed, Func<Generator, T> body)
    {
        lock (Gate)
        {
            manual_seed(seed);
            using var generator = new Generator((ulong)seed);
            return body(generator);
        }
    }
}
