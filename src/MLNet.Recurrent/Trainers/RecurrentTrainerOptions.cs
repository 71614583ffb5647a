using Microsoft.ML;

namespace MLNet.Recurrent;

/// <summary>
/// Options of the recurrent (RNN / LSTM / GRU) binary, multiclass and regression trainers
/// (<c>mlContext.BinaryClassification.Trainers.Recurrent(options)</c> and its multiclass and regression siblings).
/// Every member has a usable default; the trainer validates them when it is created and throws an
/// <see cref="ArgumentException"/> naming the first invalid member and its allowed range.
/// </summary>
public sealed class RecurrentTrainerOptions
{
    /// <summary>
    /// Label column. Binary classification: <see cref="bool"/>; multiclass: a key (as after <c>MapValueToKey</c>), the
    /// head gets one output per key value; regression: <see cref="float"/>. Rows with a missing label (key 0, NaN) are
    /// skipped and counted in the log. Default <c>"Label"</c>.
    /// </summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// Token-id column: a variable-length or fixed-size vector of <see cref="int"/> (from <c>TokenizeToIds</c> or
    /// <c>PadSequences</c>), or a vector of keys (from <c>MapValueToKey</c>; key k is token id k). Id 0 is padding
    /// wherever it appears and is dropped; ids outside the vocabulary are read as 1 (<c>&lt;unk&gt;</c>).
    /// Default <c>"Tokens"</c>.
    /// </summary>
    public string FeatureColumnName { get; set; } = "Tokens";

    /// <summary>Optional <see cref="float"/> column of per-row weights for the loss and the metrics. Default null (every row weighs 1).</summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>Recurrent cell: <see cref="RecurrentCell.Rnn"/> (tanh), <see cref="RecurrentCell.Lstm"/> or <see cref="RecurrentCell.Gru"/>. Default <see cref="RecurrentCell.Lstm"/>.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Lstm;

    /// <summary>Token embedding dimension (must equal the vector size of <see cref="PretrainedEmbeddingsPath"/> when that is set). At least 1. Default 64.</summary>
    public int EmbeddingSize { get; set; } = 64;

    /// <summary>Hidden size of each recurrent layer and direction. At least 1. Default 128.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Number of stacked recurrent layers. At least 1. Default 1.</summary>
    public int NumberOfLayers { get; set; } = 1;

    /// <summary>Whether every layer also reads the sequence backwards (outputs of both directions are concatenated). Default false.</summary>
    public bool Bidirectional { get; set; }

    /// <summary>Dropout probability between stacked layers and before the output layer, in [0, 1). Only active during training. Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>How per-step outputs become one vector per sequence; padding is never counted. Default <see cref="SequencePooling.LastHidden"/>.</summary>
    public SequencePooling Pooling { get; set; } = SequencePooling.LastHidden;

    /// <summary>
    /// Optional path of pretrained word vectors in GloVe / word2vec text format (<c>word v1 v2 …</c> per line, an
    /// optional word2vec header line <c>count dimension</c>). Vectors are mapped onto the token ids through the
    /// feature column's <c>"Vocabulary"</c> annotation (or its key values); tokens not in the file start random.
    /// The vector size must equal <see cref="EmbeddingSize"/>. Default null (embeddings are learned from scratch).
    /// </summary>
    public string? PretrainedEmbeddingsPath { get; set; }

    /// <summary>Whether the embedding is left untouched by training (useful with <see cref="PretrainedEmbeddingsPath"/>). Default false.</summary>
    public bool FreezeEmbeddings { get; set; }

    /// <summary>Rows per training batch. At least 1. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Passes over the training data. At least 1. Default 5.</summary>
    public int NumberOfEpochs { get; set; } = 5;

    /// <summary>Initial learning rate, greater than 0. Default 1e-3 (suits <see cref="OptimizerKind.Adam"/>; SGD usually wants about 0.1).</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Optimization algorithm. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Momentum of <see cref="OptimizerKind.Sgd"/>, in [0, 1). Ignored by the other optimizers. Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Decay rate of the running mean of gradients for <see cref="OptimizerKind.Adam"/> and <see cref="OptimizerKind.AdamW"/>
    /// (PyTorch's <c>betas[0]</c>, Keras's <c>beta_1</c>), in [0, 1). Ignored by <see cref="OptimizerKind.Sgd"/>. Default 0.9.</summary>
    public double AdamBeta1 { get; set; } = 0.9;

    /// <summary>Decay rate of the running mean of squared gradients for <see cref="OptimizerKind.Adam"/> and <see cref="OptimizerKind.AdamW"/>
    /// (PyTorch's <c>betas[1]</c>, Keras's <c>beta_2</c>), in [0, 1); lower values (0.99, 0.98) adapt faster in short runs
    /// with high learning rates. Ignored by <see cref="OptimizerKind.Sgd"/>. Default 0.999.</summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>Weight decay (L2 for Adam and SGD, decoupled for AdamW), at least 0. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Maximum L2 norm of all gradients together; larger gradients are scaled down. 0 disables clipping. At least 0. Default 5.</summary>
    public double GradientClipNorm { get; set; } = 5;

    /// <summary>How the learning rate changes during training. Default <see cref="Recurrent.LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Factor applied to the learning rate after every epoch with <see cref="Recurrent.LearningRateSchedule.StepDecay"/>, in (0, 1]. Default 0.5.</summary>
    public double StepDecayFactor { get; set; } = 0.5;

    /// <summary>
    /// Linear learning-rate warm-up over the first this many batches of training: batch <c>k</c> (1-based) of the warm-up
    /// uses <c>k / WarmupSteps</c> of the rate <see cref="LearningRateSchedule"/> gives it (as Keras's
    /// <c>CosineDecay(warmup_steps)</c> or Hugging Face's <c>warmup_steps</c>). At least 0; 0 (default) disables warm-up.
    /// </summary>
    public int WarmupSteps { get; set; }

    /// <summary>
    /// Sequences longer than this keep their first <c>MaximumSequenceLength</c> tokens, in training and in prediction alike.
    /// 0 means no limit. At least 0. Default 0.
    /// </summary>
    public int MaximumSequenceLength { get; set; }

    /// <summary>
    /// Whether rows of similar length are batched together (after the per-epoch shuffle), so batches carry little padding.
    /// Training runs the recurrent layers on the padded batch (forward-only layers read padding only after a row's
    /// tokens; bidirectional ones reverse each row within its length for the backward direction), so bucketing is what
    /// keeps the padding, and the compute spent on it, small. Default true.
    /// </summary>
    public bool BucketByLength { get; set; } = true;

    /// <summary>
    /// How the recurrent layers' weights start: <see cref="RecurrentInitialization.PyTorch"/> (default; uniform in
    /// ±1/√hidden, as PyTorch's <c>nn.LSTM</c>) or <see cref="RecurrentInitialization.Keras"/> (Keras's defaults:
    /// Glorot-uniform input kernels, orthogonal recurrent kernels, zero biases, an LSTM's forget-gate bias 1). Keras's
    /// start trained the 2×384 Austen character LSTM of docs/benchmarks.md to a lower loss in the same 10 minutes.
    /// </summary>
    public RecurrentInitialization RecurrentInitialization { get; set; } = RecurrentInitialization.PyTorch;

    /// <summary>
    /// Where to train: <c>"auto"</c> (CUDA when available, else CPU), <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>.
    /// A CUDA request without CUDA falls back to the CPU; the log says which device was used. Default <c>"auto"</c>.
    /// </summary>
    public string Device { get; set; } = "auto";

    /// <summary>libtorch intra-op threads used while training (restored afterwards); null keeps libtorch's setting. At least 1 when set. Default null.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>
    /// Seed of parameter initialisation, shuffling, dropout and the <see cref="ValidationFraction"/> split: the same seed
    /// and data give a bit-identical model on the CPU. Null uses the <see cref="MLContext"/>'s seed when it has one,
    /// else 42. Default null.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Optional validation data with the same columns as the training data, evaluated after every epoch (loss and metric
    /// in the log and in <see cref="Progress"/>; drives <see cref="EarlyStoppingPatience"/>). Default null.
    /// </summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>
    /// Fraction of the training rows held out (seeded random split) as validation data, like Keras' <c>validation_split</c>.
    /// In [0, 1); 0 disables. Cannot be combined with <see cref="ValidationSet"/>. Default 0.
    /// </summary>
    public double ValidationFraction { get; set; }

    /// <summary>
    /// Stop after this many epochs without an improvement of the validation loss; 0 disables early stopping. Needs
    /// <see cref="ValidationSet"/> or <see cref="ValidationFraction"/>. At least 0. Default 0.
    /// </summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>With early stopping, whether the model ends with the weights of its best validation epoch (otherwise the last). Default true.</summary>
    public bool RestoreBestWeights { get; set; } = true;

    /// <summary>
    /// Receives progress during training (about once a second) and after every epoch: epoch, batch, samples/s, train loss,
    /// validation loss and metric, elapsed time, ETA. Reports are made on the training thread. Default null.
    /// </summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Cancels training at the next batch with an <see cref="OperationCanceledException"/> (as does <c>MLContext.CancelExecution()</c>).
    /// Default <see cref="CancellationToken.None"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A copy of these options (the trainer keeps its own, so later changes do not affect it).</summary>
    internal RecurrentTrainerOptions Clone() => (RecurrentTrainerOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid member and its allowed range.</summary>
    internal void Validate()
    {
        CheckName(LabelColumnName, nameof(LabelColumnName));
        CheckName(FeatureColumnName, nameof(FeatureColumnName));
        if (ExampleWeightColumnName is not null)
            CheckName(ExampleWeightColumnName, nameof(ExampleWeightColumnName));
        Check(Enum.IsDefined(Cell), nameof(Cell), Cell, "Rnn, Lstm or Gru");
        Check(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "at least 1");
        Check(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "at least 1");
        Check(NumberOfLayers >= 1, nameof(NumberOfLayers), NumberOfLayers, "at least 1");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "in [0, 1)");
        Check(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "LastHidden, Mean or Max");
        if (PretrainedEmbeddingsPath is not null)
            Check(PretrainedEmbeddingsPath.Trim().Length > 0, nameof(PretrainedEmbeddingsPath), "''", "null or a file path");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Check(NumberOfEpochs >= 1, nameof(NumberOfEpochs), NumberOfEpochs, "at least 1");
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
        Check(MaximumSequenceLength >= 0, nameof(MaximumSequenceLength), MaximumSequenceLength, "at least 0 (0 means no limit)");
        TorchDevices.Validate(Device, nameof(Device));
        Check(Enum.IsDefined(RecurrentInitialization), nameof(RecurrentInitialization), RecurrentInitialization, "PyTorch or Keras");
        if (NumberOfThreads is int threads)
            Check(threads >= 1, nameof(NumberOfThreads), threads, "null or at least 1");
        Check(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), ValidationFraction, "in [0, 1) (0 disables)");
        if (ValidationSet is not null && ValidationFraction > 0)
            throw new ArgumentException($"{nameof(ValidationFraction)} is {ValidationFraction} and {nameof(ValidationSet)} is set; use one of them.", nameof(ValidationFraction));
        Check(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "at least 0 (0 disables early stopping)");
        if (EarlyStoppingPatience > 0 && ValidationSet is null && ValidationFraction == 0)
            throw new ArgumentException($"{nameof(EarlyStoppingPatience)} is {EarlyStoppingPatience} but there is no validation data; set {nameof(ValidationSet)} or {nameof(ValidationFraction)}.", nameof(EarlyStoppingPatience));
    }

    private static void CheckName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"{option} is {(name is null ? "null" : $"'{name}'")}; it must be the name of a column.", option);
    }

    private static void Check(bool ok, string name, object value, string allowed) => RecurrentEncoderOptions.Check(ok, name, value, allowed);
}
