namespace MLNet.Recurrent;

/// <summary>
/// Options of <c>mlContext.Transforms.Text.TrainLanguageModel(options)</c>: a recurrent next-token model over a token-id
/// column (a variable-length vector of <see cref="int"/> ids as produced by <c>TokenizeToIds</c>: 0 = <c>&lt;pad&gt;</c>,
/// 1 = <c>&lt;unk&gt;</c>). Invalid values make the estimator throw <see cref="ArgumentException"/> naming the option and its range.
/// Training starts from the unigram model: the output layer's bias is set to the log of the training tokens' add-one-smoothed
/// frequencies before the first batch.
/// </summary>
public sealed class LanguageModelOptions
{
    /// <summary>The token-id column to learn from and to score. Default <c>"Tokens"</c>.</summary>
    public string InputColumnName { get; set; } = "Tokens";

    /// <summary>Output column (<see cref="float"/>): natural-log likelihood of the row's tokens, each given its prefix. Default <c>"LogLikelihood"</c>.</summary>
    public string LogLikelihoodColumnName { get; set; } = "LogLikelihood";

    /// <summary>Output column (<see cref="int"/>): number of predicted tokens in the row. Default <c>"TokenCount"</c>.</summary>
    public string TokenCountColumnName { get; set; } = "TokenCount";

    /// <summary>Output column (<see cref="float"/>): per-token perplexity of the row. Default <c>"Perplexity"</c>.</summary>
    public string PerplexityColumnName { get; set; } = "Perplexity";

    /// <summary>Recurrent cell. Default <see cref="RecurrentCell.Lstm"/>.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Lstm;

    /// <summary>Token embedding dimension, at least 1. Default 64.</summary>
    public int EmbeddingSize { get; set; } = 64;

    /// <summary>Hidden size of each recurrent layer, at least 1. Default 256.</summary>
    public int HiddenSize { get; set; } = 256;

    /// <summary>Number of stacked recurrent layers, at least 1. Default 2.</summary>
    public int NumberOfLayers { get; set; } = 2;

    /// <summary>Dropout rate in [0, 1) applied to the embeddings, between recurrent layers and before the output layer, during training only. Default 0.1.</summary>
    public double Dropout { get; set; } = 0.1;

    /// <summary>Whether the output layer reuses the embedding matrix (fewer parameters, often better word models). Requires <see cref="EmbeddingSize"/> == <see cref="HiddenSize"/>. Default false.</summary>
    public bool TieWeights { get; set; }

    /// <summary>Window length in tokens for truncated backpropagation through time, at least 1 (see <see cref="Corpus"/>). Default 100.</summary>
    public int SequenceLength { get; set; } = 100;

    /// <summary>Whether rows are independent sequences or one continuous text. Default <see cref="LanguageModelCorpus.IndependentRows"/>.</summary>
    public LanguageModelCorpus Corpus { get; set; } = LanguageModelCorpus.IndependentRows;

    /// <summary>Windows per batch, at least 1; in <see cref="LanguageModelCorpus.Continuous"/> mode, the number of parallel streams. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Passes over the training data, at least 1. Default 10.</summary>
    public int NumberOfEpochs { get; set; } = 10;

    /// <summary>Initial learning rate, greater than 0. Default 0.002.</summary>
    public double LearningRate { get; set; } = 0.002;

    /// <summary>Optimization algorithm. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Decay rate of the running mean of gradients for <see cref="OptimizerKind.Adam"/> and <see cref="OptimizerKind.AdamW"/>
    /// (PyTorch's <c>betas[0]</c>, Keras's <c>beta_1</c>), in [0, 1). Ignored by <see cref="OptimizerKind.Sgd"/>. Default 0.9.</summary>
    public double AdamBeta1 { get; set; } = 0.9;

    /// <summary>Decay rate of the running mean of squared gradients for <see cref="OptimizerKind.Adam"/> and <see cref="OptimizerKind.AdamW"/>
    /// (PyTorch's <c>betas[1]</c>, Keras's <c>beta_2</c>), in [0, 1); lower values (0.99, 0.98) adapt faster in short runs
    /// with high learning rates. Ignored by <see cref="OptimizerKind.Sgd"/>. Default 0.999.</summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>L2 penalty (decoupled for <see cref="OptimizerKind.AdamW"/>), at least 0. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>
    /// How the learning rate changes during training. Default <see cref="LearningRateSchedule.Constant"/>. With
    /// <see cref="MaximumTrainingTime"/>, <see cref="LearningRateSchedule.LinearDecay"/> and <see cref="LearningRateSchedule.Cosine"/>
    /// follow whichever comes first: the last epoch or the end of the time budget.
    /// </summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>
    /// Linear learning-rate warm-up over the first this many batches of training: batch <c>k</c> (1-based) of the warm-up
    /// uses <c>k / WarmupSteps</c> of the rate <see cref="Schedule"/> gives it, which lets larger models start at a higher
    /// <see cref="LearningRate"/> without diverging (as Keras's <c>CosineDecay(warmup_steps)</c> or Hugging Face's
    /// <c>warmup_steps</c>). At least 0; 0 (default) disables warm-up.
    /// </summary>
    public int WarmupSteps { get; set; }

    /// <summary>Gradients are rescaled so that their global L2 norm is at most this (recurrent models need it); 0 disables clipping; at least 0. Default 1.</summary>
    public double GradientClipNorm { get; set; } = 1.0;

    /// <summary>
    /// Wall-clock budget for training, or <see langword="null"/> (default) for none: training ends after the batch during
    /// which the budget ran out (the epoch's validation still runs), as if <see cref="NumberOfEpochs"/> had been reached.
    /// Must be positive when set.
    /// </summary>
    public TimeSpan? MaximumTrainingTime { get; set; }

    /// <summary>
    /// How the recurrent layers' weights start: <see cref="RecurrentInitialization.PyTorch"/> (default; uniform in
    /// ±1/√hidden, as PyTorch's <c>nn.LSTM</c>) or <see cref="RecurrentInitialization.Keras"/> (Keras's defaults:
    /// Glorot-uniform input kernels, orthogonal recurrent kernels, zero biases, an LSTM's forget-gate bias 1). Keras's
    /// start trained the 2×384 Austen character LSTM of docs/benchmarks.md to a lower loss in the same 10 minutes.
    /// </summary>
    public RecurrentInitialization RecurrentInitialization { get; set; } = RecurrentInitialization.PyTorch;

    /// <summary>Device: <c>"auto"</c> (CUDA when available, else CPU), <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>. Default <c>"auto"</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Seed for initialization, dropout and shuffling; <see langword="null"/> (default) draws one from the <c>MLContext</c>'s seed. The same seed and data give the same model on the CPU.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Held-out data with the same token-id column, or <see langword="null"/> (default): its loss (nats per token) and bits per
    /// token are reported after every epoch and drive <see cref="EarlyStoppingPatience"/>. It is windowed like the training data.
    /// </summary>
    public Microsoft.ML.IDataView? ValidationSet { get; set; }

    /// <summary>Epochs without a better validation loss before training stops and the best epoch's weights are restored; 0 (default) disables early stopping. At least 0; needs <see cref="ValidationSet"/> when positive.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Receives a <see cref="TrainingProgress"/> about once a second during an epoch and after every epoch (samples = predicted tokens). Default <see langword="null"/>.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Cancels training (<see cref="OperationCanceledException"/>); <c>MLContext.CancelExecution()</c> works too. Default none.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and its allowed range.</summary>
    public void Validate()
    {
        CheckName(InputColumnName, nameof(InputColumnName));
        CheckName(LogLikelihoodColumnName, nameof(LogLikelihoodColumnName));
        CheckName(TokenCountColumnName, nameof(TokenCountColumnName));
        CheckName(PerplexityColumnName, nameof(PerplexityColumnName));
        if (new[] { LogLikelihoodColumnName, TokenCountColumnName, PerplexityColumnName }.Distinct(StringComparer.Ordinal).Count() != 3)
            throw new ArgumentException($"The output column names must differ: '{LogLikelihoodColumnName}', '{TokenCountColumnName}', '{PerplexityColumnName}'.", nameof(LogLikelihoodColumnName));
        Check(Enum.IsDefined(Cell), nameof(Cell), Cell, "Rnn, Lstm or Gru");
        Check(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "at least 1");
        Check(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "at least 1");
        Check(NumberOfLayers >= 1, nameof(NumberOfLayers), NumberOfLayers, "at least 1");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "in [0, 1)");
        Check(Enum.IsDefined(RecurrentInitialization), nameof(RecurrentInitialization), RecurrentInitialization, "PyTorch or Keras");
        if (TieWeights && EmbeddingSize != HiddenSize)
            throw new ArgumentException($"TieWeights is true, which needs EmbeddingSize == HiddenSize (the output layer reuses the embedding matrix), but EmbeddingSize is {EmbeddingSize} and HiddenSize is {HiddenSize}.", nameof(TieWeights));
        Check(SequenceLength >= 1, nameof(SequenceLength), SequenceLength, "at least 1");
        Check(Enum.IsDefined(Corpus), nameof(Corpus), Corpus, "IndependentRows or Continuous");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Check(NumberOfEpochs >= 1, nameof(NumberOfEpochs), NumberOfEpochs, "at least 1");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a finite number greater than 0");
        Check(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "Adam, AdamW or Sgd");
        Check(AdamBeta1 >= 0 && AdamBeta1 < 1, nameof(AdamBeta1), AdamBeta1, "in [0, 1)");
        Check(AdamBeta2 >= 0 && AdamBeta2 < 1, nameof(AdamBeta2), AdamBeta2, "in [0, 1)");
        Check(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "a finite number of at least 0");
        Check(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "Constant, LinearDecay, Cosine or StepDecay");
        Check(WarmupSteps >= 0, nameof(WarmupSteps), WarmupSteps, "at least 0 (0 disables warm-up)");
        Check(GradientClipNorm >= 0 && double.IsFinite(GradientClipNorm), nameof(GradientClipNorm), GradientClipNorm, "a finite number of at least 0 (0 disables clipping)");
        Check(MaximumTrainingTime is null || MaximumTrainingTime > TimeSpan.Zero, nameof(MaximumTrainingTime), MaximumTrainingTime!, "positive, or null for no limit");
        TorchDevices.Validate(Device, nameof(Device));
        Check(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "at least 0 (0 disables early stopping)");
        if (EarlyStoppingPatience > 0 && ValidationSet is null)
            throw new ArgumentException($"EarlyStoppingPatience is {EarlyStoppingPatience}, which needs a ValidationSet to measure improvement; set ValidationSet or use 0.", nameof(EarlyStoppingPatience));
    }

    internal LanguageModelArchitecture Architecture(int vocabularySize) => new()
    {
        VocabularySize = vocabularySize, Cell = Cell, EmbeddingSize = EmbeddingSize, HiddenSize = HiddenSize,
        NumberOfLayers = NumberOfLayers, Dropout = Dropout, TieWeights = TieWeights,
    };

    private static void Check(bool ok, string name, object value, string allowed) => RecurrentEncoderOptions.Check(ok, name, value, allowed);

    private static void CheckName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"{option} is empty; it must name a column.", option);
    }
}
