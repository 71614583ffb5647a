namespace MLNet.Recurrent;

/// <summary>
/// Options of the recurrent (RNN / LSTM / GRU) binary, multiclass and regression trainers
/// (<c>mlContext.BinaryClassification.Trainers.Recurrent(options)</c> and its multiclass and regression siblings): the
/// columns, what this model adds around the recurrent core (direction, pooling, embeddings, sequence handling), and
/// every shared training setting of <see cref="RecurrentTrainingOptions"/>.
/// Every member has a usable default; the trainer validates them when it is created and throws an
/// <see cref="ArgumentException"/> naming the first invalid member and its allowed range.
/// </summary>
public sealed class RecurrentTrainerOptions : RecurrentTrainingOptions
{
    /// <summary>
    /// Creates the options with the trainers' defaults, chosen on the accuracy suite (docs/accuracy.md): a bidirectional
    /// LSTM with <see cref="RecurrentTrainingOptions.EmbeddingSize"/> 256, <see cref="RecurrentTrainingOptions.HiddenSize"/> 64,
    /// max pooling and <see cref="RecurrentTrainingOptions.Dropout"/> 0.5, reading a row's first 128 tokens
    /// (<see cref="MaximumRecurrentLength"/>), beside a bag of words over the whole row (<see cref="NGramLength"/> 1),
    /// <see cref="RecurrentTrainingOptions.BatchSize"/> 64,
    /// <see cref="RecurrentTrainingOptions.LearningRate"/> 0.004 decaying linearly to 0 over
    /// <see cref="RecurrentTrainingOptions.NumberOfEpochs"/> 7, and square-root balanced class weights.
    /// </summary>
    public RecurrentTrainerOptions()
    {
        EmbeddingSize = 256;
        HiddenSize = 64;
        Dropout = 0.5;
        BatchSize = 64;
        LearningRate = 0.004;
        LearningRateSchedule = LearningRateSchedule.LinearDecay;
        NumberOfEpochs = 7;
    }

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

    /// <summary>Whether every layer also reads the sequence backwards (outputs of both directions are concatenated). Default true.</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>How per-step outputs become one vector per sequence; padding is never counted. Default <see cref="SequencePooling.Max"/>.</summary>
    public SequencePooling Pooling { get; set; } = SequencePooling.Max;

    /// <summary>
    /// Optional path of pretrained word vectors in GloVe / word2vec text format (<c>word v1 v2 …</c> per line, an
    /// optional word2vec header line <c>count dimension</c>). Vectors are mapped onto the token ids through the
    /// feature column's <c>"Vocabulary"</c> annotation (or its key values); tokens not in the file start random.
    /// The vector size must equal <see cref="RecurrentTrainingOptions.EmbeddingSize"/>. Default null (embeddings are learned from scratch).
    /// </summary>
    public string? PretrainedEmbeddingsPath { get; set; }

    /// <summary>Whether the embedding is left untouched by training (useful with <see cref="PretrainedEmbeddingsPath"/>). Default false.</summary>
    public bool FreezeEmbeddings { get; set; }

    /// <summary>
    /// Sequences longer than this keep their first <c>MaximumSequenceLength</c> tokens, in training and in prediction alike
    /// (like Keras's <c>maxlen</c>; the log says how many training rows were cut). Default <see langword="null"/>: 512
    /// tokens, or 2,048 when the feature column comes from a <see cref="TokenizerMode.Character"/> tokenizer (its
    /// <c>"TokenizerModel"</c> annotation says so) — enough for most text classification while one huge row cannot take all
    /// the memory. Set a number (at least 1) to choose the limit, or 0 for no limit: prediction then reads rows of any
    /// length (forward-only networks in windows of 4,096 tokens with the state carried, so memory stays bounded;
    /// bidirectional networks read a row whole and refuse rows longer than 65,536 tokens), and training refuses data whose
    /// longest row would make a batch need more than about 8 GiB of activations, naming the row length and
    /// <see cref="RecurrentTrainingOptions.BatchSize"/>.
    /// </summary>
    public int? MaximumSequenceLength { get; set; }

    /// <summary>
    /// The recurrent layers read at most a row's first <c>MaximumRecurrentLength</c> tokens, while the bag of n-grams
    /// (<see cref="NGramLength"/>) reads the whole row (up to <see cref="MaximumSequenceLength"/>): on long documents the
    /// bag carries the evidence spread over the text and the recurrent layers, whose cost grows with every token they read,
    /// read its start (accuracy suite: 128 tokens instead of 512 halved the fit time on long documents, with the same
    /// accuracy). 0: the recurrent layers read the whole row. In 0..16,777,216. Default 128.
    /// </summary>
    public int MaximumRecurrentLength { get; set; } = 128;

    /// <summary>
    /// Whether rows of similar length are batched together (after the per-epoch shuffle), so batches carry little padding.
    /// Training runs the recurrent layers on the padded batch (forward-only layers read padding only after a row's
    /// tokens; bidirectional ones reverse each row within its length for the backward direction), so bucketing is what
    /// keeps the padding, and the compute spent on it, small. Default true.
    /// </summary>
    public bool BucketByLength { get; set; } = true;

    /// <summary>
    /// Probability in [0, 1) that a token's whole embedding is dropped (zeroed) in a training batch, as Keras's
    /// <c>SpatialDropout1D</c>: the network learns not to rely on single words. Default 0.
    /// </summary>
    public double EmbeddingDropout { get; set; }

    /// <summary>
    /// Adds a linear model over the row's word n-grams to the network's outputs ("wide and deep"; fastText's bag of
    /// n-grams): 0 (none), 1 (words) or 2 (words and hashed word pairs). It learns the keyword evidence a linear text model
    /// uses, while the recurrent layers learn order and context. The bag learns at 6 times the learning rate (its rows are
    /// each seen rarely, and it starts at zero), and a row's summed weights are divided by the square root of its n-gram
    /// count. Default 1 (accuracy suite: word pairs cost accuracy on the smaller sets).
    /// </summary>
    public int NGramLength { get; set; } = 1;

    /// <summary>
    /// A trained language model (from <c>TrainLanguageModel</c>, ideally on the same token column, e.g. on the training
    /// texts or on more unlabelled text) whose token embedding and recurrent layers start this classifier's (ULMFiT, Howard
    /// &amp; Ruder 2018); a bidirectional classifier's backward direction and the head start fresh. <see cref="RecurrentTrainingOptions.Cell"/>,
    /// <see cref="RecurrentTrainingOptions.EmbeddingSize"/>, <see cref="RecurrentTrainingOptions.HiddenSize"/> and
    /// <see cref="RecurrentTrainingOptions.NumberOfLayers"/> must be the language model's (the trainer says which differ).
    /// Tokens are matched by text, or by id when a token column has no vocabulary. The pretrained layers stay still for
    /// <see cref="PretrainedLayersFrozenEpochs"/> epochs, then learn at <see cref="PretrainedLearningRateFactor"/> times the
    /// rate. The trainer copies the weights: the model stays the caller's. Default null.
    /// </summary>
    public LanguageModelTransformer? PretrainedLanguageModel { get; set; }

    /// <summary>A model zip holding a language model (saved by <c>mlContext.Model.Save</c>, alone or in a pipeline), as <see cref="PretrainedLanguageModel"/>. Default null.</summary>
    public string? PretrainedLanguageModelPath { get; set; }

    /// <summary>Epochs during which the pretrained layers do not move (the rest of the network learns to use them), at least 0. Default 1.</summary>
    public int PretrainedLayersFrozenEpochs { get; set; } = 1;

    /// <summary>Learning-rate factor of the pretrained layers after they unfreeze (discriminative fine-tuning), in (0, 1]. Default 0.5.</summary>
    public double PretrainedLearningRateFactor { get; set; } = 0.5;

    /// <summary>
    /// Whether every recurrent layer (and direction) starts each row from a learned state instead of zeros (an LSTM learns
    /// its cell state too), trained with the rest of the network. An empty row then gets the learned state. Default false.
    /// </summary>
    public bool LearnInitialState { get; set; }

    /// <summary>
    /// How the training loss weighs the classes of a binary or multiclass classifier: <see cref="Recurrent.ClassWeighting.None"/>
    /// , <see cref="Recurrent.ClassWeighting.Balanced"/> (inverse class frequency, as scikit-learn's
    /// <c>"balanced"</c>) or <see cref="Recurrent.ClassWeighting.SquareRootBalanced"/> (default: the square root of the
    /// balanced weights, which raised macro accuracy on the suite's imbalanced sets without costing micro accuracy).
    /// Multiplies any <see cref="ExampleWeightColumnName"/> weight; the validation loss and metrics stay unweighted by class.
    /// Regression has no classes and ignores it.
    /// </summary>
    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.SquareRootBalanced;

    /// <summary>The limit <see cref="MaximumSequenceLength"/> null stands for: tokens of a word or subword tokenizer (or plain ids).</summary>
    internal const int DefaultMaximumSequenceLength = 512;

    /// <summary>The limit <see cref="MaximumSequenceLength"/> null stands for when the tokens are characters.</summary>
    internal const int DefaultMaximumCharacterSequenceLength = 2048;

    /// <inheritdoc />
    internal override void Validate()
    {
        CheckColumnName(LabelColumnName, nameof(LabelColumnName));
        CheckColumnName(FeatureColumnName, nameof(FeatureColumnName));
        if (ExampleWeightColumnName is not null)
            CheckColumnName(ExampleWeightColumnName, nameof(ExampleWeightColumnName));
        base.Validate();
        Check(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "LastHidden, Mean or Max");
        Check(Enum.IsDefined(ClassWeighting), nameof(ClassWeighting), ClassWeighting, "None, Balanced or SquareRootBalanced");
        if (PretrainedEmbeddingsPath is not null)
            Check(PretrainedEmbeddingsPath.Trim().Length > 0, nameof(PretrainedEmbeddingsPath), "''", "null or a file path");
        if (MaximumSequenceLength is int maximumLength)
            Check(maximumLength >= 0, nameof(MaximumSequenceLength), maximumLength, "null (512 tokens, 2,048 characters), at least 1, or 0 for no limit");
        Check(EmbeddingDropout >= 0 && EmbeddingDropout < 1, nameof(EmbeddingDropout), EmbeddingDropout, "in [0, 1)");
        Check(NGramLength is >= 0 and <= 2, nameof(NGramLength), NGramLength, "0, 1 or 2");
        Check(MaximumRecurrentLength is >= 0 and <= 1 << 24, nameof(MaximumRecurrentLength), MaximumRecurrentLength, "0 (the whole row) or 1..16,777,216");
        if (PretrainedLanguageModel is not null && PretrainedLanguageModelPath is not null)
            throw new ArgumentException($"{nameof(PretrainedLanguageModel)} and {nameof(PretrainedLanguageModelPath)} are both set; use one of them.", nameof(PretrainedLanguageModelPath));
        if (PretrainedLanguageModelPath is not null)
            Check(PretrainedLanguageModelPath.Trim().Length > 0, nameof(PretrainedLanguageModelPath), "''", "null or a file path");
        Check(PretrainedLayersFrozenEpochs >= 0, nameof(PretrainedLayersFrozenEpochs), PretrainedLayersFrozenEpochs, "at least 0");
        Check(PretrainedLearningRateFactor > 0 && PretrainedLearningRateFactor <= 1, nameof(PretrainedLearningRateFactor), PretrainedLearningRateFactor, "in (0, 1]");
    }
}
