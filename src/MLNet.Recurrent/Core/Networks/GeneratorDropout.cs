using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Dropout that draws its masks from the running training's generator (<see cref="TrainingRandomness"/>) instead of
/// libtorch's process-wide one: elements are zeroed with probability <c>p</c> and the rest scaled by <c>1 / (1 − p)</c>,
/// as <c>nn.Dropout</c> does. Outside training mode (or with <c>p</c> = 0) it returns its input. Called outside a
/// training run (a test driving a module by hand) it falls back to libtorch's own dropout.
/// </summary>
internal static class GeneratorDropout
{
    public static Tensor Apply(Tensor x, double p, bool training)
    {
        if (!training || p <= 0)
            return x;
        if (TrainingRandomness.Current is not Generator generator)
            return nn.functional.dropout(x, p, training: true);
        using Scalar scale = (1.0 / (1.0 - p)).ToScalar();
        Tensor mask = empty_like(x).bernoulli_(1.0 - p, generator);
        return x.mul(mask).mul_(scale);
    }
}
