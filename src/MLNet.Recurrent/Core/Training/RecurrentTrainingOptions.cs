using Microsoft.ML;

namespace MLNet.Recurrent;

/// <summary>
/// The settings every recurrent estimator of this library shares — the network's recurrent core, the optimizer and its
/// schedule, validation and early stopping, the time budget, device, threads, seed, progress and cancellation — with
/// one name, one default and one validation each. <see cref="RecurrentTrainerOptions"/> (binary, multiclass and
/// regression trainers) and <see cref="LanguageModelOptions"/> (<c>TrainLanguageModel</c>) derive from it and add only
/// what is theirs; where a task needs a different starting value (model size, epochs, learning rate), the derived
/// class says so in its own documentation.
/// Invalid values make the estimator throw an <see cref="ArgumentException"/> naming the member and its allowed range
/// when it is created.
/// </summary>
public abstract class RecurrentTrainingOptions
{
    private protected RecurrentTrainingOptions()
    {
    }

    // ---- The recurrent core -------------------------------------------------------------------------------------

    /// <summary>Recurrent cell: <see cref="RecurrentCell.Rnn"/> (tanh), <see cref="RecurrentCell.Lstm"/> or <see cref="RecurrentCell.Gru"/>. Default <see cref="RecurrentCell.Lstm"/>.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Lstm;

    /// <summary>Token embedding dimension, in 1..8,192. Default 64 (<see cref="RecurrentTrainerOptions"/>: 256).</summary>
    public int EmbeddingSize { get; set; } = 64;

    /// <summary>Hidden size of each recurrent layer (and direction), in 1..8,192. Default 128 (<see cref="RecurrentTrainerOptions"/>: 64; <see cref="LanguageModelOptions"/>: 256).</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Number of stacked recurrent layers, in 1..64. Default 1 (<see cref="LanguageModelOptions"/>: 2).</summary>
    public int NumberOfLayers { get; set; } = 1;

    /// <summary>
    /// Dropout probability in [0, 1), active during training only: between stacked recurrent layers and before the output
    /// layer (language models also apply it to the embeddings). Default 0 (<see cref="RecurrentTrainerOptions"/>: 0.5; <see cref="LanguageModelOptions"/>: 0.1).
    /// </summary>
    public double Dropout { get; set; }

    /// <summary>
    /// The largest vocabulary a model may size from the token ids themselves, in 2..16,777,216. Default 1,048,576.
    /// A token-id column declares its vocabulary with a <c>"Vocabulary"</c> annotation (<c>TokenizeToIds</c>) or a key type
    /// (<c>MapValueToKey</c>); a plain <see cref="int"/> vector (ids from your own tokenizer) does not, and the vocabulary is
    /// then the largest id + 1, which sizes the embedding (and a language model's output layer). An id that would make it
    /// larger than this stops training with an error naming the column, the row and the id, so one stray id of 30,000,000
    /// cannot allocate a 30-million-row embedding. Raise it for larger vocabularies, or declare the vocabulary.
    /// </summary>
    public int MaximumInferredVocabularySize { get; set; } = 1 << 20;

    /// <summary>
    /// How the recurrent layers' weights start: <see cref="Recurrent.RecurrentInitialization.PyTorch"/> (default; uniform in
    /// ±1/√hidden, as PyTorch's <c>nn.LSTM</c>) or <see cref="Recurrent.RecurrentInitialization.Keras"/> (Glorot-uniform input
    /// kernels, orthogonal recurrent kernels, zero biases, an LSTM's forget-gate bias 1; <see cref="LanguageModelOptions"/>'s default).
    /// </summary>
    public RecurrentInitialization RecurrentInitialization { get; set; } = RecurrentInitialization.PyTorch;

    // ---- Optimization -------------------------------------------------------------------------------------------

    /// <summary>
    /// Rows per training batch (for a language model in <see cref="LanguageModelCorpus.Continuous"/> mode, the number of
    /// parallel streams), in 1..65,536. Default 32 (<see cref="RecurrentTrainerOptions"/> and <see cref="LanguageModelOptions"/>: 64).
    /// </summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Passes over the training data, at least 1 (training may end sooner: <see cref="EarlyStoppingPatience"/>,
    /// <see cref="MaximumTrainingTime"/>), or <see langword="null"/> to choose the count on held-out data: up to
    /// <see cref="AutomaticEpochs.MaximumEpochs"/> epochs, stopping after <see cref="AutomaticEpochs.Patience"/> epochs
    /// without a better validation loss and ending with the best epoch's weights, the validation data being
    /// <see cref="ValidationSet"/>, else <see cref="ValidationFraction"/> of the training rows, else
    /// <see cref="AutomaticEpochs.ValidationFraction"/> of them. Default null (<see cref="RecurrentTrainerOptions"/>: 7; <see cref="LanguageModelOptions"/>: 10).
    /// </summary>
    public int? NumberOfEpochs { get; set; }

    /// <summary>Initial learning rate, a finite number greater than 0. Default 1e-3 (<see cref="RecurrentTrainerOptions"/>: 4e-3; <see cref="LanguageModelOptions"/>: 5e-3); <see cref="OptimizerKind.Sgd"/> usually wants about 0.1.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Optimization algorithm. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Momentum of <see cref="OptimizerKind.Sgd"/>, in [0, 1). Ignored by the other optimizers. Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>
    /// Decay rate of the running mean of gradients for <see cref="OptimizerKind.Adam"/> and <see cref="OptimizerKind.AdamW"/>
    /// (PyTorch's <c>betas[0]</c>, Keras's <c>beta_1</c>), in [0, 1). Ignored by <see cref="OptimizerKind.Sgd"/>. Default 0.9.
    /// </summary>
    public double AdamBeta1 { get; set; } = 0.9;

    /// <summary>
    /// Decay rate of the running mean of squared gradients for <see cref="OptimizerKind.Adam"/> and <see cref="OptimizerKind.AdamW"/>
    /// (PyTorch's <c>betas[1]</c>, Keras's <c>beta_2</c>), in [0, 1); lower values (0.99, 0.98) adapt faster in short runs
    /// with high learning rates. Ignored by <see cref="OptimizerKind.Sgd"/>. Default 0.999.
    /// </summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>Weight decay (L2 for Adam and SGD, decoupled for AdamW), a finite number of at least 0. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>
    /// Gradients are rescaled so that their global L2 norm is at most this (recurrent networks need it against exploding
    /// gradients); 0 disables clipping. A finite number of at least 0. Default 1.
    /// </summary>
    public double GradientClipNorm { get; set; } = 1.0;

    /// <summary>
    /// How the learning rate changes during training, applied per batch. Default <see cref="Recurrent.LearningRateSchedule.Constant"/>
    /// (<see cref="RecurrentTrainerOptions"/> and <see cref="LanguageModelOptions"/>: <see cref="Recurrent.LearningRateSchedule.LinearDecay"/>).
    /// With <see cref="MaximumTrainingTime"/>, <see cref="Recurrent.LearningRateSchedule.LinearDecay"/> and
    /// <see cref="Recurrent.LearningRateSchedule.Cosine"/> reach 0 at whichever comes first: the last epoch or the end of the budget.
    /// </summary>
    public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Factor applied to the learning rate after every epoch with <see cref="Recurrent.LearningRateSchedule.StepDecay"/>, in (0, 1]. Default 0.5.</summary>
    public double StepDecayFactor { get; set; } = 0.5;

    /// <summary>
    /// Linear learning-rate warm-up over the first this many batches: batch <c>k</c> (1-based) of the warm-up uses
    /// <c>k / WarmupSteps</c> of the rate <see cref="LearningRateSchedule"/> gives it (as Keras's
    /// <c>CosineDecay(warmup_steps)</c> or Hugging Face's <c>warmup_steps</c>). At least 0; 0 (default) disables warm-up.
    /// </summary>
    public int WarmupSteps { get; set; }

    /// <summary>
    /// Wall-clock budget for training, or <see langword="null"/> (default) for none: training ends after the batch during
    /// which the budget ran out (that epoch is still validated), as if <see cref="NumberOfEpochs"/> had been reached.
    /// Positive when set.
    /// </summary>
    public TimeSpan? MaximumTrainingTime { get; set; }

    // ---- Validation and early stopping --------------------------------------------------------------------------

    /// <summary>
    /// Optional validation data with the same input columns as the training data, evaluated after every epoch (loss and
    /// metric in the log and in <see cref="Progress"/>; drives <see cref="EarlyStoppingPatience"/>). Cannot be combined
    /// with <see cref="ValidationFraction"/>. Default null.
    /// </summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>
    /// Fraction of the training data held out as validation data, like Keras's <c>validation_split</c>, in [0, 1); 0
    /// (default) disables. Rows are drawn at random with the training seed; a language model trained on one
    /// <see cref="LanguageModelCorpus.Continuous"/> text holds out the text's last tokens instead. Cannot be combined with
    /// <see cref="ValidationSet"/>.
    /// </summary>
    public double ValidationFraction { get; set; }

    /// <summary>
    /// Stop after this many epochs without an improvement of the validation loss; 0 (default) disables early stopping.
    /// Needs <see cref="ValidationSet"/> or <see cref="ValidationFraction"/>. At least 0.
    /// </summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>With early stopping, whether the model ends with the weights of its best validation epoch (otherwise those of the last). Default true.</summary>
    public bool RestoreBestWeights { get; set; } = true;

    // ---- Where and how it runs ----------------------------------------------------------------------------------

    /// <summary>
    /// Where to train: <c>"auto"</c> (CUDA when available, else CPU), <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>.
    /// A CUDA request without CUDA falls back to the CPU; the log says which device was used. Default <c>"auto"</c>.
    /// </summary>
    public string Device { get; set; } = "auto";

    /// <summary>
    /// Threads a CPU training uses; null (default) = libtorch's intra-op thread count (its default: the physical cores).
    /// With 2 or more, a classifier's batches train data-parallel: each batch is split into that many parts (at least 8
    /// rows each) that run forward and backward side by side on one libtorch thread each, and their gradients are summed
    /// as the whole batch's (measured on 2 cores: 1.4–1.8x faster fits than libtorch's own two threads;
    /// docs/performance-notes.md, "Data-parallel training"). A language model's carried-state batches run whole on this
    /// many intra-op threads. With 1, every batch runs whole on one thread: on a machine other jobs keep busy that is often
    /// fastest. libtorch's count is restored after the fit. At least 1 when set.
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>
    /// Seed of parameter initialisation, shuffling, dropout and the <see cref="ValidationFraction"/> split: the same seed,
    /// data and <see cref="NumberOfThreads"/> give a bit-identical model on the CPU, also when several models train at once
    /// in one process. Null
    /// (default) uses the <see cref="MLContext"/>'s seed when it has one, else 42.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Receives a <see cref="TrainingProgress"/> about once a second during an epoch and after every epoch (samples are
    /// rows, or predicted tokens for a language model). Reports are made on the training thread. Default null.
    /// </summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Cancels training at the next batch with an <see cref="OperationCanceledException"/> (as does
    /// <c>MLContext.CancelExecution()</c>). Default <see cref="CancellationToken.None"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A shallow copy (estimators keep their own, so later changes to the caller's object do not reach them).</summary>
    internal T Copy<T>() where T : RecurrentTrainingOptions => (T)MemberwiseClone();

    /// <summary>The seed of a training run: <see cref="Seed"/>, else the environment's seed, else 42.</summary>
    internal int SeedFor(Microsoft.ML.Runtime.IHostEnvironment env) => Seed ?? (env as Microsoft.ML.Runtime.IHostEnvironmentInternal)?.Seed ?? 42;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid member and its allowed range.</summary>
    internal virtual void Validate()
    {
        Check(Enum.IsDefined(Cell), nameof(Cell), Cell, "Rnn, Lstm or Gru");
        Check(EmbeddingSize >= 1 && EmbeddingSize <= NetworkLimits.MaximumEmbeddingSize, nameof(EmbeddingSize), EmbeddingSize, $"in 1..{NetworkLimits.MaximumEmbeddingSize:N0}");
        Check(HiddenSize >= 1 && HiddenSize <= NetworkLimits.MaximumHiddenSize, nameof(HiddenSize), HiddenSize, $"in 1..{NetworkLimits.MaximumHiddenSize:N0}");
        Check(NumberOfLayers >= 1 && NumberOfLayers <= NetworkLimits.MaximumLayers, nameof(NumberOfLayers), NumberOfLayers, $"in 1..{NetworkLimits.MaximumLayers}");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "in [0, 1)");
        Check(Enum.IsDefined(RecurrentInitialization), nameof(RecurrentInitialization), RecurrentInitialization, "PyTorch or Keras");
        Check(BatchSize >= 1 && BatchSize <= NetworkLimits.MaximumBatchSize, nameof(BatchSize), BatchSize, $"in 1..{NetworkLimits.MaximumBatchSize:N0}");
        Check(MaximumInferredVocabularySize >= 2 && MaximumInferredVocabularySize <= NetworkLimits.MaximumVocabularySize, nameof(MaximumInferredVocabularySize), MaximumInferredVocabularySize, $"in 2..{NetworkLimits.MaximumVocabularySize:N0}");
        if (NumberOfEpochs is int epochs)
            Check(epochs >= 1, nameof(NumberOfEpochs), epochs, "at least 1, or null to choose it on held-out data");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a finite number greater than 0");
        Check(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "Adam, AdamW or Sgd");
        Check(Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "in [0, 1)");
        Check(AdamBeta1 >= 0 && AdamBeta1 < 1, nameof(AdamBeta1), AdamBeta1, "in [0, 1)");
        Check(AdamBeta2 >= 0 && AdamBeta2 < 1, nameof(AdamBeta2), AdamBeta2, "in [0, 1)");
        Check(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "a finite number of at least 0");
        Check(GradientClipNorm >= 0 && double.IsFinite(GradientClipNorm), nameof(GradientClipNorm), GradientClipNorm, "a finite number of at least 0 (0 disables clipping)");
        Check(Enum.IsDefined(LearningRateSchedule), nameof(LearningRateSchedule), LearningRateSchedule, "Constant, LinearDecay, Cosine or StepDecay");
        Check(StepDecayFactor > 0 && StepDecayFactor <= 1, nameof(StepDecayFactor), StepDecayFactor, "in (0, 1]");
        Check(WarmupSteps >= 0, nameof(WarmupSteps), WarmupSteps, "at least 0 (0 disables warm-up)");
        Check(MaximumTrainingTime is null || MaximumTrainingTime > TimeSpan.Zero, nameof(MaximumTrainingTime), MaximumTrainingTime!, "positive, or null for no limit");
        Check(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), ValidationFraction, "in [0, 1) (0 disables)");
        if (ValidationSet is not null && ValidationFraction > 0)
            throw new ArgumentException($"{nameof(ValidationFraction)} is {ValidationFraction} and {nameof(ValidationSet)} is set; use one of them.", nameof(ValidationFraction));
        Check(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "at least 0 (0 disables early stopping)");
        if (EarlyStoppingPatience > 0 && ValidationSet is null && EffectiveValidationFraction == 0)
            throw new ArgumentException($"{nameof(EarlyStoppingPatience)} is {EarlyStoppingPatience} but there is no validation data to measure improvement on; set {nameof(ValidationSet)} or {nameof(ValidationFraction)}, or use 0.", nameof(EarlyStoppingPatience));
        TorchDevices.Validate(Device, nameof(Device));
        if (NumberOfThreads is int threads)
            Check(threads >= 1, nameof(NumberOfThreads), threads, "null or at least 1");
    }

    /// <summary>Throws <see cref="ArgumentException"/> "<paramref name="name"/> is <paramref name="value"/>; it must be <paramref name="allowed"/>." unless <paramref name="ok"/>.</summary>
    private protected static void Check(bool ok, string name, object value, string allowed) => OptionRange.Check(ok, name, value, allowed);

    /// <summary>Throws unless <paramref name="name"/> names a column.</summary>
    private protected static void CheckColumnName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"{option} is {(name is null ? "null" : $"'{name}'")}; it must be the name of a column.", option);
    }

    /// <summary>The epochs to plan: <see cref="NumberOfEpochs"/>, or <see cref="AutomaticEpochs.MaximumEpochs"/> when it is chosen automatically.</summary>
    internal int EffectiveEpochs => NumberOfEpochs ?? AutomaticEpochs.MaximumEpochs;

    /// <summary>The share of the training rows held out: <see cref="ValidationFraction"/>, or <see cref="AutomaticEpochs.ValidationFraction"/> when the epochs are chosen automatically without other validation data.</summary>
    internal double EffectiveValidationFraction =>
        NumberOfEpochs is null && ValidationSet is null && ValidationFraction == 0 ? AutomaticEpochs.ValidationFraction : ValidationFraction;

    /// <summary>The early-stopping patience: <see cref="EarlyStoppingPatience"/>, or <see cref="AutomaticEpochs.Patience"/> when the epochs are chosen automatically and it is 0.</summary>
    internal int EffectivePatience => NumberOfEpochs is null && EarlyStoppingPatience == 0 ? AutomaticEpochs.Patience : EarlyStoppingPatience;

    /// <summary>The settings the <see cref="TrainingLoop{TBatch}"/> takes from these options.</summary>
    internal TrainingSettings TrainingSettings(Action checkAlive, Action<string> log) => new()
    {
        NumberOfEpochs = EffectiveEpochs,
        LearningRate = LearningRate,
        Optimizer = Optimizer,
        WeightDecay = WeightDecay,
        Momentum = Momentum,
        AdamBeta1 = AdamBeta1,
        AdamBeta2 = AdamBeta2,
        GradientClipNorm = GradientClipNorm,
        Schedule = LearningRateSchedule,
        StepDecayFactor = StepDecayFactor,
        WarmupSteps = WarmupSteps,
        EarlyStoppingPatience = EffectivePatience,
        RestoreBestWeights = RestoreBestWeights,
        TimeLimit = MaximumTrainingTime,
        Progress = Progress,
        CancellationToken = CancellationToken,
        CheckAlive = checkAlive,
        Log = log,
    };
}
