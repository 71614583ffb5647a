namespace MLNet.Recurrent;

/// <summary>
/// Options of <c>mlContext.Transforms.Text.TrainLanguageModel(options)</c>: a recurrent next-token model over a token-id
/// column (see <see cref="InputColumnName"/>), with every shared training setting of <see cref="RecurrentTrainingOptions"/>.
/// A language model starts from different values than the classifiers, the settings that trained the best character
/// models within a fixed time on a CPU (docs/language-models.md, "Defaults"):
/// <list type="bullet">
/// <item><description><see cref="RecurrentTrainingOptions.HiddenSize"/> 256 and <see cref="RecurrentTrainingOptions.NumberOfLayers"/> 2:
/// a 2×256 LSTM (about 0.9 million weights for a character vocabulary) is large enough to keep learning for several
/// epochs of a few megabytes of text and small enough to see them within minutes on two CPU cores.</description></item>
/// <item><description><see cref="RecurrentTrainingOptions.Dropout"/> 0.1 from <see cref="DropoutStartEpoch"/> 5 on: the first
/// four epochs train without dropout, which learns faster (10-minute character models on three texts ended 0.003–0.028
/// held-out bits/char lower than with dropout from the start), and the later ones with it, which keeps a long run improving
/// (10 epochs of a 2 MB text, two seeds: 1.971 and 1.979 against 1.976 and 1.969 with dropout throughout, level, and
/// 2.013 without).</description></item>
/// <item><description><see cref="RecurrentTrainingOptions.RecurrentInitialization"/> <see cref="Recurrent.RecurrentInitialization.Keras"/>:
/// orthogonal recurrent kernels and an LSTM forget-gate bias of 1 ended 10-minute character models lower than
/// PyTorch's uniform start, by one to two times the spread between runs.</description></item>
/// <item><description><see cref="RecurrentTrainingOptions.BatchSize"/> 64 (with <see cref="LanguageModelCorpus.Continuous"/>, 64
/// parallel streams) and <see cref="SequenceLength"/> 32: short windows give more optimizer steps for the same text
/// (the state is carried across them), and 64 streams make the batches large enough for libtorch to use more than one
/// core.</description></item>
/// <item><description><see cref="RecurrentTrainingOptions.LearningRate"/> 0.005 with
/// <see cref="RecurrentTrainingOptions.LearningRateSchedule"/> <see cref="Recurrent.LearningRateSchedule.LinearDecay"/>: a high
/// initial rate that decays to 0 at the end of the last epoch, or at the end of
/// <see cref="RecurrentTrainingOptions.MaximumTrainingTime"/> when that comes first, so a time-limited run ends annealed.</description></item>
/// <item><description><see cref="RecurrentTrainingOptions.NumberOfEpochs"/> 10.</description></item>
/// </list>
/// Invalid values make the estimator throw <see cref="ArgumentException"/> naming the option and its range.
/// Training starts from the unigram model: the output layer's bias is set to the log of the training tokens' add-one-smoothed
/// frequencies before the first batch.
/// </summary>
public sealed class LanguageModelOptions : RecurrentTrainingOptions
{
    /// <summary>Creates the options with the language model's defaults.</summary>
    public LanguageModelOptions()
    {
        HiddenSize = 256;
        NumberOfLayers = 2;
        Dropout = 0.1;
        RecurrentInitialization = RecurrentInitialization.Keras;
        BatchSize = 64;
        NumberOfEpochs = 10;
        LearningRate = 0.005;
        LearningRateSchedule = LearningRateSchedule.LinearDecay;
    }

    /// <summary>
    /// The token-id column to learn from and to score: a vector of <see cref="int"/> ids (<c>TokenizeToIds</c>,
    /// <c>PadSequences</c>) or of keys (<c>MapValueToKey</c>), read by the same rules as the trainers' feature column
    /// (0 = <c>&lt;pad&gt;</c> is dropped, ids outside the vocabulary are read as 1 = <c>&lt;unk&gt;</c>). Default <c>"Tokens"</c>.
    /// </summary>
    public string InputColumnName { get; set; } = "Tokens";

    /// <summary>Output column (<see cref="float"/>): natural-log likelihood of the row's tokens, each given its prefix. Default <c>"LogLikelihood"</c>.</summary>
    public string LogLikelihoodColumnName { get; set; } = "LogLikelihood";

    /// <summary>Output column (<see cref="int"/>): number of predicted tokens in the row. Default <c>"TokenCount"</c>.</summary>
    public string TokenCountColumnName { get; set; } = "TokenCount";

    /// <summary>Output column (<see cref="float"/>): per-token perplexity of the row. Default <c>"Perplexity"</c>.</summary>
    public string PerplexityColumnName { get; set; } = "Perplexity";

    /// <summary>Whether the output layer reuses the embedding matrix (fewer parameters, often better word models). Requires <see cref="RecurrentTrainingOptions.EmbeddingSize"/> == <see cref="RecurrentTrainingOptions.HiddenSize"/>. Default false.</summary>
    public bool TieWeights { get; set; }

    /// <summary>
    /// Window length in tokens for truncated backpropagation through time, in 1..65,536 (see <see cref="Corpus"/>). Default 32:
    /// with the state carried across windows (<see cref="LanguageModelCorpus.Continuous"/>), short windows give more
    /// optimizer steps for the same text; longer ones (64–128) let gradients reach further back, which word models and
    /// long training runs can use.
    /// </summary>
    public int SequenceLength { get; set; } = 32;

    /// <summary>
    /// Whether rows are independent sequences (each cut into windows of <see cref="SequenceLength"/>) or, in order, one
    /// continuous text read as <see cref="RecurrentTrainingOptions.BatchSize"/> parallel streams with the state carried
    /// from window to window. Default <see cref="LanguageModelCorpus.IndependentRows"/>.
    /// </summary>
    public LanguageModelCorpus Corpus { get; set; } = LanguageModelCorpus.IndependentRows;

    /// <summary>
    /// The first epoch (1-based) trained with <see cref="RecurrentTrainingOptions.Dropout"/>; the epochs before it train
    /// without dropout ("late dropout", Liu et al. 2023, "Dropout Reduces Underfitting"): early epochs underfit, where dropout
    /// only slows learning, later ones overfit, where it helps. At least 1 (1 applies dropout from the start). Default 5:
    /// a 10-minute budget on two CPU cores (about four epochs of 2 MB) then trains without dropout, and the default 10 epochs
    /// on a 2 MB text end level with dropout from the start (two seeds: 0.005 held-out bits/char lower and 0.010 higher) and
    /// 0.04 lower than without any (docs/language-models.md, "Defaults").
    /// </summary>
    public int DropoutStartEpoch { get; set; } = 5;

    /// <summary>The longest <see cref="SequenceLength"/>.</summary>
    internal const int MaximumWindow = 1 << 16;

    /// <inheritdoc />
    internal override void Validate()
    {
        CheckColumnName(InputColumnName, nameof(InputColumnName));
        CheckColumnName(LogLikelihoodColumnName, nameof(LogLikelihoodColumnName));
        CheckColumnName(TokenCountColumnName, nameof(TokenCountColumnName));
        CheckColumnName(PerplexityColumnName, nameof(PerplexityColumnName));
        if (new[] { LogLikelihoodColumnName, TokenCountColumnName, PerplexityColumnName }.Distinct(StringComparer.Ordinal).Count() != 3)
            throw new ArgumentException($"The output column names must differ: '{LogLikelihoodColumnName}', '{TokenCountColumnName}', '{PerplexityColumnName}'.", nameof(LogLikelihoodColumnName));
        base.Validate();
        if (TieWeights && EmbeddingSize != HiddenSize)
            throw new ArgumentException($"TieWeights is true, which needs EmbeddingSize == HiddenSize (the output layer reuses the embedding matrix), but EmbeddingSize is {EmbeddingSize} and HiddenSize is {HiddenSize}.", nameof(TieWeights));
        Check(SequenceLength >= 1 && SequenceLength <= MaximumWindow, nameof(SequenceLength), SequenceLength, $"in 1..{MaximumWindow:N0}");
        Check(Enum.IsDefined(Corpus), nameof(Corpus), Corpus, "IndependentRows or Continuous");
        Check(DropoutStartEpoch >= 1, nameof(DropoutStartEpoch), DropoutStartEpoch, "at least 1");
    }

    internal LanguageModelArchitecture Architecture(int vocabularySize) => new()
    {
        VocabularySize = vocabularySize, Cell = Cell, EmbeddingSize = EmbeddingSize, HiddenSize = HiddenSize,
        NumberOfLayers = NumberOfLayers, Dropout = Dropout, TieWeights = TieWeights,
    };
}
