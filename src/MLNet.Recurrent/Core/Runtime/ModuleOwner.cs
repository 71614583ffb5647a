using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// The one owner of a trained TorchSharp module behind a public transformer: every call that reaches native code holds
/// a <see cref="Lease"/> (<see cref="Use"/>), and the module's native memory is freed exactly once, when the owner has
/// been disposed and the last lease has ended — or, for an owner nobody disposed, when the garbage collector finds it
/// unreachable (the finalizer).
/// <para>
/// Why: ML.NET's <c>CreatePredictionEngine(model)</c> owns its transformer by default and disposes it with the engine,
/// so one thread's engine can dispose a model that another thread is scoring with. A check-then-call
/// (<c>ThrowIfDisposed</c>, then the forward pass) lets <c>Dispose</c> free the tensors between the two: the forward
/// pass then reads freed memory (the process died with SIGSEGV, or libtorch read garbage shapes). With leases,
/// <see cref="Dispose"/> marks the owner disposed at once (every later <see cref="Use"/> throws
/// <see cref="ObjectDisposedException"/>) and defers the free until running calls have ended; it never blocks, so a
/// call that disposes its own model (a getter, a callback) cannot deadlock.
/// </para>
/// <para>
/// Why a finalizer: TorchSharp's <c>Module</c> finalizer does not release its native module (only an explicit
/// <c>Dispose</c> does), and the native module keeps its parameters' storage alive, so a loaded model that was never
/// disposed kept its weights after collection. A lease holds a reference to its owner, so the finalizer cannot run
/// while a call is in flight.
/// </para>
/// </summary>
internal sealed class ModuleOwner<TModule> : IDisposable where TModule : nn.Module
{
    private const int DisposedFlag = 1 << 30;
    private const int CountMask = DisposedFlag - 1;

    private readonly TModule module;
    private readonly string ownerName;
    private int state; // number of leases in flight, plus DisposedFlag once Dispose was called
    private int freed;

    /// <param name="module">The module; owned (freed) by this object from now on.</param>
    /// <param name="ownerName">The public type the module belongs to (the <see cref="ObjectDisposedException.ObjectName"/>).</param>
    public ModuleOwner(TModule module, string ownerName)
    {
        this.module = module;
        this.ownerName = ownerName;
    }

    /// <summary>Whether <see cref="Dispose"/> was called (the module may still be in use by calls that started before).</summary>
    public bool IsDisposed => (Volatile.Read(ref state) & DisposedFlag) != 0;

    /// <summary>Whether the native memory has been freed.</summary>
    internal bool IsFreed => Volatile.Read(ref freed) != 0;

    /// <summary>Number of leases in flight (tests).</summary>
    internal int LeasesInFlight => Volatile.Read(ref state) & CountMask;

    /// <summary>
    /// The module without a lease: only for managed data (its architecture) and for tests; native calls go through
    /// <see cref="Use"/>.
    /// </summary>
    public TModule Unguarded => module;

    /// <summary>Starts a call that may reach native code; dispose the lease when the call ends.</summary>
    /// <exception cref="ObjectDisposedException">The owner was disposed.</exception>
    public Lease Use()
    {
        while (true)
        {
            int s = Volatile.Read(ref state);
            if ((s & DisposedFlag) != 0)
                throw Disposed();
            if ((s & CountMask) == CountMask)
                throw new InvalidOperationException($"Too many concurrent calls on the {ownerName}.");
            if (Interlocked.CompareExchange(ref state, s + 1, s) == s)
                return new Lease(this);
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> when <see cref="Dispose"/> was called.</summary>
    public void ThrowIfDisposed()
    {
        if (IsDisposed)
            throw Disposed();
    }

    private ObjectDisposedException Disposed() => new(ownerName,
        $"The {ownerName} was disposed (its native memory is released), so it cannot score, generate or save any more. " +
        "ML.NET's CreatePredictionEngine(model) disposes the model together with the engine; to share one model between " +
        "engines or keep using it, create them with new PredictionEngineOptions { OwnsTransformer = false } and dispose the model yourself.");

    /// <summary>Marks the owner disposed; the module is freed now, or when the last call in flight ends.</summary>
    public void Dispose()
    {
        int s;
        do
        {
            s = Volatile.Read(ref state);
            if ((s & DisposedFlag) != 0)
                return;
        }
        while (Interlocked.CompareExchange(ref state, s | DisposedFlag, s) != s);
        GC.SuppressFinalize(this);
        if ((s & CountMask) == 0)
            Free();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref state) == DisposedFlag)
            Free();
    }

    private void Free()
    {
        if (Interlocked.Exchange(ref freed, 1) == 0)
            module.Dispose();
    }

    /// <summary>Unreachable and never disposed: no lease can be in flight (a lease references its owner).</summary>
    ~ModuleOwner()
    {
        try
        {
            Free();
        }
        catch (Exception)
        {
            // A finalizer must not throw; the process is most likely shutting down.
        }
    }

    /// <summary>One call's right to use the module; ends with <see cref="Dispose"/>.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly ModuleOwner<TModule>? owner;

        internal Lease(ModuleOwner<TModule> owner) => this.owner = owner;

        /// <summary>The module, valid until the lease ends.</summary>
        public TModule Module => owner!.module;

        /// <summary>Ends the call.</summary>
        public void Dispose() => owner?.Release();
    }
}
