using TorchSharp;

namespace MLNet.Recurrent;

/// <summary>
/// The scalars the library passes to libtorch, held so that they live across the native call.
/// <para>
/// TorchSharp turns a .NET number into a native <see cref="Scalar"/> through an implicit conversion, passes its handle to
/// native code, and never refers to the object again; the object's finalizer frees the native scalar. When a garbage
/// collection runs during the native call — another thread only has to allocate — the finalizer can free the scalar
/// while libtorch still reads it: libtorch then fails with "Expected false to be true" (the corrupted tag of a scalar)
/// or, worse, reads another value. Measured with TorchSharp 0.107: 127 failures in 300,000 <c>mul_(0.5)</c> calls while a
/// second thread forced collections, none with a held scalar. So the library never converts implicitly (a test scans its
/// IL for it): constants are the fields below (static, never collected), other values are created with
/// <see cref="ScalarExtensionMethods.ToScalar(double)"/> in a <c>using</c> that outlives the call, and training uses its own
/// optimizers (<see cref="TrainingOptimizer"/>) because TorchSharp's convert implicitly in every step.
/// </para>
/// </summary>
internal static class Scalars
{
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar OneDouble = 1.0.ToScalar();
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();
}
