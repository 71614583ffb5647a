using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// The optimizers of the <see cref="TrainingLoop{TBatch}"/>: Adam (L2 weight decay added to the gradient), AdamW
/// (decoupled weight decay) and SGD with momentum — the same arithmetic, in the same order, as TorchSharp's
/// <c>optim.Adam</c>, <c>optim.AdamW</c> and <c>optim.SGD</c> (ε = 1e-8, no dampening, no Nesterov), so a step gives
/// bit-identical parameters. They exist because TorchSharp's convert their hyper-parameters to native scalars implicitly
/// in every step, which another thread's garbage collection can free mid-call (see <see cref="Scalars"/>); here every
/// scalar is held until the step is done.
/// </summary>
internal abstract class TrainingOptimizer : IDisposable
{
    private readonly Parameter[] parameters;
    private double[]? factors;

    protected TrainingOptimizer(IEnumerable<Parameter> parameters) => this.parameters = parameters.ToArray();

    /// <summary>The learning rate of the next <see cref="Step"/>.</summary>
    public double LearningRate { get; set; }

    /// <summary>The optimizer <paramref name="settings"/> name, over <paramref name="parameters"/> (those with <c>requires_grad</c>).</summary>
    public static TrainingOptimizer Create(TrainingSettings settings, IEnumerable<Parameter> parameters) => settings.Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(parameters, settings.LearningRate, settings.Momentum, settings.WeightDecay),
        OptimizerKind.AdamW => new Adam(parameters, settings.LearningRate, settings.AdamBeta1, settings.AdamBeta2, settings.WeightDecay, decoupled: true),
        _ => new Adam(parameters, settings.LearningRate, settings.AdamBeta1, settings.AdamBeta2, settings.WeightDecay, decoupled: false),
    };

    /// <summary>
    /// Learning-rate factors per parameter, in the order the optimizer was given them (1 = the rate, 0 = the parameter is
    /// not updated, weight decay included), until set again.
    /// </summary>
    public void SetFactors(double[] values)
    {
        if (values.Length != parameters.Length)
            throw new ArgumentException($"{values.Length} factors for {parameters.Length} parameters.", nameof(values));
        factors = values.All(v => v == 1) ? null : values;
    }

    /// <summary>The learning-rate factor of parameter <paramref name="index"/>.</summary>
    protected double Factor(int index) => factors?[index] ?? 1;

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in parameters)
        {
            using Tensor? grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>Updates every parameter that has a gradient, without recording the update for autograd.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        BeginStep();
        for (int i = 0; i < parameters.Length; i++)
        {
            Tensor? grad = parameters[i].grad;
            if (grad is not null && Factor(i) != 0)
                Update(i, parameters[i], grad);
        }
        EndStep();
    }

    /// <summary>Creates the step's scalars.</summary>
    protected abstract void BeginStep();

    /// <summary>Updates parameter <paramref name="index"/> from its gradient.</summary>
    protected abstract void Update(int index, Parameter parameter, Tensor grad);

    /// <summary>Disposes the step's scalars.</summary>
    protected abstract void EndStep();

    public virtual void Dispose()
    {
    }

    /// <summary>Adam (Kingma and Ba), or AdamW when the weight decay is decoupled.</summary>
    private sealed class Adam : TrainingOptimizer
    {
        private const double Epsilon = 1e-8;
        private readonly double beta1, beta2, weightDecay;
        private readonly bool decoupled;
        private readonly Tensor?[] firstMoments, secondMoments;
        private readonly Scalar beta1Scalar, oneMinusBeta1, beta2Scalar, oneMinusBeta2, epsilon, weightDecayScalar;
        private Scalar? decay, biasCorrection2Root, stepSize;
        private double biasCorrection1;
        private long step;

        public Adam(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double weightDecay, bool decoupled)
            : base(parameters)
        {
            LearningRate = learningRate;
            (this.beta1, this.beta2, this.weightDecay, this.decoupled) = (beta1, beta2, weightDecay, decoupled);
            firstMoments = new Tensor?[this.parameters.Length];
            secondMoments = new Tensor?[this.parameters.Length];
            beta1Scalar = beta1.ToScalar();
            oneMinusBeta1 = (1 - beta1).ToScalar();
            beta2Scalar = beta2.ToScalar();
            oneMinusBeta2 = (1 - beta2).ToScalar();
            epsilon = Epsilon.ToScalar();
            weightDecayScalar = weightDecay.ToScalar();
        }

        protected override void BeginStep()
        {
            step++;
            biasCorrection1 = 1 - Math.Pow(beta1, step);
            double biasCorrection2 = 1 - Math.Pow(beta2, step);
            decay = (1 - LearningRate * weightDecay).ToScalar();
            biasCorrection2Root = Math.Sqrt(biasCorrection2).ToScalar();
            stepSize = (-(LearningRate / biasCorrection1)).ToScalar();
        }

        protected override void Update(int index, Parameter parameter, Tensor grad)
        {
            Tensor m = firstMoments[index] ??= zeros_like(parameter).DetachFromDisposeScope();
            Tensor v = secondMoments[index] ??= zeros_like(parameter).DetachFromDisposeScope();
            double factor = Factor(index);
            using Scalar? ownDecay = factor == 1 || !decoupled || weightDecay == 0 ? null : (1 - LearningRate * factor * weightDecay).ToScalar();
            using Scalar? ownStep = factor == 1 ? null : (-(LearningRate * factor / biasCorrection1)).ToScalar();
            if (weightDecay != 0)
            {
                if (decoupled)
                    parameter.mul_(ownDecay ?? decay!);
                else
                    grad = grad.add(parameter, alpha: weightDecayScalar);
            }
            m.mul_(beta1Scalar).add_(grad, alpha: oneMinusBeta1);
            v.mul_(beta2Scalar).addcmul_(grad, grad, value: oneMinusBeta2);
            Tensor denominator = v.sqrt().div_(biasCorrection2Root!).add_(epsilon, Scalars.One);
            parameter.addcdiv_(m, denominator, value: ownStep ?? stepSize!);
        }

        protected override void EndStep()
        {
            decay?.Dispose();
            biasCorrection2Root?.Dispose();
            stepSize?.Dispose();
            (decay, biasCorrection2Root, stepSize) = (null, null, null);
        }

        public override void Dispose()
        {
            foreach (Tensor? t in firstMoments.Concat(secondMoments))
                t?.Dispose();
            foreach (Scalar s in new[] { beta1Scalar, oneMinusBeta1, beta2Scalar, oneMinusBeta2, epsilon, weightDecayScalar })
                s.Dispose();
        }
    }

    /// <summary>Stochastic gradient descent with (classic, undampened) momentum.</summary>
    private sealed class Sgd : TrainingOptimizer
    {
        private readonly double momentum, weightDecay;
        private readonly Tensor?[] buffers;
        private readonly Scalar momentumScalar, weightDecayScalar;
        private Scalar? negativeRate;

        public Sgd(IEnumerable<Parameter> parameters, double learningRate, double momentum, double weightDecay)
            : base(parameters)
        {
            LearningRate = learningRate;
            (this.momentum, this.weightDecay) = (momentum, weightDecay);
            buffers = new Tensor?[this.parameters.Length];
            momentumScalar = momentum.ToScalar();
            weightDecayScalar = weightDecay.ToScalar();
        }

        protected override void BeginStep() => negativeRate = (-LearningRate).ToScalar();

        protected override void Update(int index, Parameter parameter, Tensor grad)
        {
            if (weightDecay != 0)
                grad = grad.add(parameter, alpha: weightDecayScalar);
            if (momentum != 0)
            {
                if (buffers[index] is Tensor buffer)
                    buffer.mul_(momentumScalar).add_(grad, alpha: Scalars.OneDouble);
                else
                    buffers[index] = grad.clone().detach().DetachFromDisposeScope();
                grad = buffers[index]!;
            }
            double factor = Factor(index);
            using Scalar? ownRate = factor == 1 ? null : (-LearningRate * factor).ToScalar();
            parameter.add_(grad, alpha: ownRate ?? negativeRate!);
        }

        protected override void EndStep()
        {
            negativeRate?.Dispose();
            negativeRate = null;
        }

        public override void Dispose()
        {
            foreach (Tensor? t in buffers)
                t?.Dispose();
            momentumScalar.Dispose();
            weightDecayScalar.Dispose();
        }
    }
}
