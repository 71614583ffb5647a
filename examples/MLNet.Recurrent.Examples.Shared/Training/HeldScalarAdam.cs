using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Examples;

/// <summary>
/// Adam (Kingma and Ba; the update of <c>torch.optim.Adam</c> without weight decay) for the examples' hand-written
/// training loops. TorchSharp's own <c>optim.Adam</c> hands libtorch numbers converted implicitly to <see cref="Scalar"/>
/// in every step, and TorchSharp frees such a scalar in its finalizer, which the garbage collector can run while libtorch
/// still reads it: the n-gram baseline once died of it after minutes of training with a raw libtorch error ("toFloat …
/// Expected false to be true"). This optimizer holds its scalars for as long as it lives, as the library's does (its
/// own Adam is internal: the trainers' optimizer is chosen through their options, not handed out as public API).
/// </summary>
public sealed class HeldScalarAdam : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly Tensor?[] firstMoments, secondMoments;
    private readonly double learningRate, beta1, beta2;
    private readonly Scalar beta1Scalar, oneMinusBeta1, beta2Scalar, oneMinusBeta2, epsilon, one;
    private long steps;
    private bool disposed;

    /// <summary>Adam over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The weights to train (for example <c>model.parameters()</c>).</param>
    /// <param name="learningRate">Step size, &gt; 0 (PyTorch's default 0.001).</param>
    /// <param name="beta1">Decay of the gradient's running mean, in [0, 1); default 0.9.</param>
    /// <param name="beta2">Decay of the squared gradient's running mean, in [0, 1); default 0.999.</param>
    public HeldScalarAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be greater than 0.");
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(beta1 is < 0 or >= 1 ? nameof(beta1) : nameof(beta2), "Adam's betas must lie in [0, 1).");
        this.parameters = parameters.ToArray();
        (this.learningRate, this.beta1, this.beta2) = (learningRate, beta1, beta2);
        firstMoments = new Tensor?[this.parameters.Length];
        secondMoments = new Tensor?[this.parameters.Length];
        beta1Scalar = beta1.ToScalar();
        oneMinusBeta1 = (1 - beta1).ToScalar();
        beta2Scalar = beta2.ToScalar();
        oneMinusBeta2 = (1 - beta2).ToScalar();
        epsilon = 1e-8.ToScalar();
        one = 1.ToScalar();
    }

    /// <summary>Sets every parameter's gradient to zero (PyTorch's <c>zero_grad</c>).</summary>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        foreach (Parameter p in parameters)
        {
            using Tensor? grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam step on every parameter that has a gradient (PyTorch's <c>step</c>).</summary>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        steps++;
        using Scalar stepSize = (-learningRate / (1 - Math.Pow(beta1, steps))).ToScalar();
        using Scalar biasCorrection2Root = Math.Sqrt(1 - Math.Pow(beta2, steps)).ToScalar();
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            using Tensor? grad = parameters[i].grad;
            if (grad is null)
                continue;
            Tensor m = firstMoments[i] ??= zeros_like(parameters[i]).DetachFromDisposeScope();
            Tensor v = secondMoments[i] ??= zeros_like(parameters[i]).DetachFromDisposeScope();
            m.mul_(beta1Scalar).add_(grad, alpha: oneMinusBeta1);
            v.mul_(beta2Scalar).addcmul_(grad, grad, value: oneMinusBeta2);
            using Tensor denominator = v.sqrt().div_(biasCorrection2Root).add_(epsilon, one);
            parameters[i].addcdiv_(m, denominator, value: stepSize);
        }
    }

    /// <summary>Frees the moments and the held scalars.</summary>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        foreach (Tensor? t in firstMoments.Concat(secondMoments))
            t?.Dispose();
        foreach (Scalar s in new[] { beta1Scalar, oneMinusBeta1, beta2Scalar, oneMinusBeta2, epsilon, one })
            s.Dispose();
    }
}
