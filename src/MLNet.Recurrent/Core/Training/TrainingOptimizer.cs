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
/// <para>
/// A parameter with a sparse gradient (an <c>nn.Embedding</c> built with <c>sparse: true</c>, such as the classifier's token embedding and the n-gram bag's
/// table) is updated lazily, as TensorFlow's LazyAdam and PyTorch's SparseAdam do: only the rows the batch touched move,
/// and only their moments decay, so a step costs the batch's rows rather than the whole table.
/// </para>
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

    /// <summary>Adam over <paramref name="parameters"/> without weight decay (dynamic evaluation's updates).</summary>
    public static TrainingOptimizer CreateAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999) =>
        new Adam(parameters, learningRate, beta1, beta2, weightDecay: 0, decoupled: false);

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

    /// <summary>
    /// Updates every parameter that has a gradient, without recording the update for autograd. With
    /// <paramref name="clipNorm"/> &gt; 0 the gradients are first scaled so that their global L2 norm is at most that
    /// (as <c>nn.utils.clip_grad_norm_</c>, sparse gradients included). Returns the global norm before clipping
    /// (NaN or infinite when a gradient is), or 0 without clipping; a non-finite norm updates nothing.
    /// </summary>
    public double Step(double clipNorm = 0)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var grads = new Tensor?[parameters.Length];
        var rows = new Tensor?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            Tensor? grad = parameters[i].grad;
            if (grad is not null && grad.is_sparse)
                (rows[i], grad) = SumByRow(grad);
            grads[i] = grad;
        }
        double norm = 0;
        if (clipNorm > 0)
        {
            Tensor[] norms = grads.OfType<Tensor>().Select(g => g.norm()).ToArray();
            if (norms.Length == 0)
                return 0;
            norm = stack(norms).norm().item<float>();
            if (!double.IsFinite(norm))
                return norm;
            double coefficient = clipNorm / (norm + 1e-6);
            if (coefficient < 1)
            {
                using Scalar c = coefficient.ToScalar();
                foreach (Tensor g in grads.OfType<Tensor>())
                    g.mul_(c);
            }
        }
        BeginStep();
        for (int i = 0; i < parameters.Length; i++)
        {
            if (grads[i] is Tensor grad && Factor(i) != 0)
            {
                if (rows[i] is Tensor touched)
                    UpdateRows(i, parameters[i], touched, grad);
                else
                    Update(i, parameters[i], grad);
            }
        }
        EndStep();
        return norm;
    }

    /// <summary>
    /// A sparse COO gradient of a 2-D table (as <c>nn.Embedding(sparse: true)</c> produces: one entry per looked-up
    /// token, rows repeated) as the distinct rows it touches and each row's summed gradient.
    /// </summary>
    private static (Tensor Rows, Tensor Values) SumByRow(Tensor grad)
    {
        Tensor indices = grad.SparseIndices[0];
        Tensor values = grad.SparseValues;
        var (distinct, inverse, _) = indices.unique(sorted: true, return_inverse: true);
        Tensor summed = zeros(distinct.shape[0], values.shape[1], dtype: values.dtype, device: values.device)
            .index_add_(0, inverse!, values, Scalars.One);
        return (distinct, summed);
    }

    /// <summary>
    /// Updates only the given rows of a table from their gradient (<paramref name="grad"/> is <c>[rows, columns]</c>).
    /// Optimizers without a lazy rule apply their dense rule to a gradient that is zero elsewhere.
    /// </summary>
    protected virtual void UpdateRows(int index, Parameter parameter, Tensor rows, Tensor grad)
    {
        Tensor dense = zeros_like(parameter).index_copy_(0, rows, grad);
        Update(index, parameter, dense);
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
            Apply(index, parameter, m, v, grad);
        }

        /// <summary>The lazy update: the rows the batch touched, and nothing else, take an Adam step.</summary>
        protected override void UpdateRows(int index, Parameter parameter, Tensor rows, Tensor grad)
        {
            Tensor m = firstMoments[index] ??= zeros_like(parameter).DetachFromDisposeScope();
            Tensor v = secondMoments[index] ??= zeros_like(parameter).DetachFromDisposeScope();
            Tensor weights = parameter.index_select(0, rows);
            Tensor mRows = m.index_select(0, rows);
            Tensor vRows = v.index_select(0, rows);
            Apply(index, weights, mRows, vRows, grad);
            parameter.index_copy_(0, rows, weights);
            m.index_copy_(0, rows, mRows);
            v.index_copy_(0, rows, vRows);
        }

        /// <summary>One Adam step of <paramref name="weights"/> and its moments, in place.</summary>
        private void Apply(int index, Tensor weights, Tensor m, Tensor v, Tensor grad)
        {
            double factor = Factor(index);
            using Scalar? ownDecay = factor == 1 || !decoupled || weightDecay == 0 ? null : (1 - LearningRate * factor * weightDecay).ToScalar();
            using Scalar? ownStep = factor == 1 ? null : (-(LearningRate * factor / biasCorrection1)).ToScalar();
            if (weightDecay != 0)
            {
                if (decoupled)
                    weights.mul_(ownDecay ?? decay!);
                else
                    grad = grad.add(weights, alpha: weightDecayScalar);
            }
            m.mul_(beta1Scalar).add_(grad, alpha: oneMinusBeta1);
            v.mul_(beta2Scalar).addcmul_(grad, grad, value: oneMinusBeta2);
            Tensor denominator = v.sqrt().div_(biasCorrection2Root!).add_(epsilon, Scalars.One);
            weights.addcdiv_(m, denominator, value: ownStep ?? stepSize!);
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
