using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Long-lived background threads that run libtorch work side by side on the CPU, each on one intra-op thread: batched
/// scoring (chunks of rows) and data-parallel training (parts of a batch, <see cref="TrainingLoop{TBatch}"/>). Kept
/// alive between calls because a thread's first libtorch/MKL use allocates per-thread state: fresh threads per call cost
/// ~100 ms and hundreds of MB of resident memory per scoring pass in the harness (docs/performance-notes.md, "Intra-op threads hurt small recurrent steps").
/// </summary>
/// <remarks>
/// libtorch's thread count is not purely per thread (setting it on one thread changed how the others ran: measured
/// 2,109 vs 3,843 seq/s), so every body sets one intra-op thread on its worker and <see cref="Run"/> sets the caller's
/// count back when all bodies are done. Concurrent <see cref="Run"/> calls stay correct; they may briefly run some
/// bodies on more intra-op threads than intended. Autograd's grad mode and TorchSharp's dispose scopes are per thread:
/// a body starts with gradients enabled and no dispose scope of the caller's.
/// </remarks>
internal static class TorchWorkers
{
    private static readonly BlockingCollection<Action> Work = new();
    private static readonly object Gate = new();
    private static int started;

    /// <summary>
    /// Runs <paramref name="body"/> once for each index 0 … <paramref name="workers"/> − 1, on pool threads, and waits
    /// for all of them; the first exception is rethrown on the caller. Bodies must not wait for each other (they may run
    /// one after another).
    /// </summary>
    public static void Run(int workers, Action<int> body)
    {
        int callerThreads = get_num_threads();
        EnsureStarted(workers);
        using var done = new CountdownEvent(workers);
        Exception? failure = null;
        for (int w = 0; w < workers; w++)
        {
            int index = w;
            Work.Add(() =>
            {
                try
                {
                    set_num_threads(1);
                    body(index);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
                finally
                {
                    done.Signal();
                }
            });
        }
        done.Wait();
        set_num_threads(callerThreads);
        if (failure is not null)
            ExceptionDispatchInfo.Capture(failure).Throw();
    }

    private static void EnsureStarted(int workers)
    {
        if (Volatile.Read(ref started) >= workers)
            return;
        lock (Gate)
        {
            if (started >= workers)
                return;
            while (started < workers)
            {
                var thread = new Thread(() =>
                {
                    foreach (Action action in Work.GetConsumingEnumerable())
                        action();
                }) { IsBackground = true, Name = $"MLNet.Recurrent worker {started + 1}" };
                thread.Start();
                started++;
            }
        }
    }
}
