namespace MLNet.Recurrent;

/// <summary>
/// Options of <c>mlContext.Transforms.Text.TrainLanguageModel(options)</c>: a recurrent next-token model over a token-id
/// column (see <see cref="InputColumnName"/>), with every shared training setting of <see cref="RecurrentTrainingOptions"/>.
/// A language model starts from different values than the classifiers: <see cref="RecurrentTrainingOptions.HiddenSize"/>
/// 256, <see cref="RecurrentTrainingOptions.NumberOfLayers"/> 2, <see cref="RecurrentTrainingOptions.Dropout"/> 0.1,
/// <see cref="RecurrentTrainingOptions.NumberOfEpochs"/> 10 and <see cref="RecurrentTrainingOptions.LearningRate"/> 0.002.
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
        NumberOfEpochs = 10;
        LearningRate = 0.002;
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

    /// <summary>Window length in tokens for truncated backpropagation through time, in 1..65,536 (see <see cref="Corpus"/>). Default 100.</summary>
    public int SequenceLength { get; set; } = 100;

    /// <summary>
    /// Whether rows are independent sequences (each cut into windows of <see cref="SequenceLength"/>) or, in order, one
    /// continuous text read as <see cref="RecurrentTrainingOptions.BatchSize"/> parallel streams with the state carried
    /// from window to window. Default <see cref="LanguageModelCorpus.IndependentRows"/>.
    /// </summary>
    public LanguageModelCorpus Corpus { get; set; } = LanguageModelCorpus.IndependentRows;

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
    }

    internal LanguageModelArchitecture Architecture(int vocabularySize) => new()
    {
        VocabularySize = vocabularySize, Cell = Cell, EmbeddingSize = EmbeddingSize, HiddenSize = HiddenSize,
        NumberOfLayers = NumberOfLayers, Dropout = Dropout, TieWeights = TieWeights,
    };
}
