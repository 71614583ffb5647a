using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Trains a recurrent text model (embedding → RNN/LSTM/GRU → pooling → linear head) for binary classification,
/// multiclass classification or regression, from a token-id column. Created by
/// <c>mlContext.BinaryClassification.Trainers.Recurrent(…)</c>, <c>mlContext.MulticlassClassification.Trainers.Recurrent(…)</c>
/// or <c>mlContext.Regression.Trainers.Recurrent(…)</c>; <see cref="Fit(IDataView)"/> returns a <see cref="RecurrentPredictionTransformer"/>.
/// Composition: the TorchSharp module, the length-bucketing batcher, a small task head and the shared training loop.
/// </summary>
public sealed class RecurrentTrainer : IEstimator<RecurrentPredictionTransformer>
{
    private readonly IHostEnvironment env;
    private readonly IHost host;
    private readonly RecurrentTrainerOptions options;
    private readonly PredictionTask task;

    internal RecurrentTrainer(IHostEnvironment env, RecurrentTask task, RecurrentTrainerOptions options)
    {
        this.env = env ?? throw new ArgumentNullException(nameof(env));
        ArgumentNullException.ThrowIfNull(options);
        this.task = PredictionTasks.Get(task);
        options.Validate();
        this.options = options.Copy<RecurrentTrainerOptions>();
        host = env.Register(nameof(RecurrentTrainer));
    }

    /// <summary>The task this trainer learns.</summary>
    public RecurrentTask Task => task.Kind;

    /// <summary>A copy of the options the trainer was created with (changing it does not change the trainer).</summary>
    public RecurrentTrainerOptions Options => options.Copy<RecurrentTrainerOptions>();

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        host.CheckValue(inputSchema, nameof(inputSchema));
        TokenIdColumn.Check(inputSchema, options.FeatureColumnName);
        if (options.ExampleWeightColumnName is string weight)
            SchemaErrors.Require(inputSchema, weight, "weight", "Single", w => w.Kind == SchemaShape.Column.VectorKind.Scalar && !w.IsKey && w.ItemType == NumberDataViewType.Single);
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in task.OutputShape(inputSchema, options.LabelColumnName))
            columns[column.Name] = column;
        return new SchemaShape(columns.Values);
    }

    /// <summary>
    /// Trains on <paramref name="trainData"/>, evaluating <paramref name="validationData"/> after every epoch (as
    /// <see cref="RecurrentTrainingOptions.ValidationSet"/> does), and returns the transformer.
    /// </summary>
    public RecurrentPredictionTransformer Fit(IDataView trainData, IDataView validationData)
    {
        ArgumentNullException.ThrowIfNull(validationData);
        var options = this.options.Copy<RecurrentTrainerOptions>();
        options.ValidationSet = validationData;
        options.ValidationFraction = 0;
        return new RecurrentTrainer(env, Task, options).Fit(trainData);
    }

    /// <summary>Trains the model on <paramref name="input"/> (and the validation data, if any) and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type, or a multiclass label key has fewer than 2 values (the message names it).</exception>
    /// <exception cref="InvalidOperationException">
    /// The data has no usable rows or a single class; a raw token id implies a vocabulary larger than
    /// <see cref="RecurrentTrainingOptions.MaximumInferredVocabularySize"/> (the message names the row); the longest row
    /// would make a batch need more memory than allowed (see <see cref="RecurrentTrainerOptions.MaximumSequenceLength"/>);
    /// or training diverged (the message names the batch and the learning rate).
    /// </exception>
    /// <exception cref="ArgumentException">The network for this vocabulary would be larger than the library allows.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public RecurrentPredictionTransformer Fit(IDataView input)
    {
        host.CheckValue(input, nameof(input));
        var o = options;
        using var run = TrainingRun.Start(env, host, o, "Training");
        IChannel ch = run.Channel;

        // Schema: token ids, label, optional weight.
        TokenIdColumn tokens = TokenIdColumn.Find(input.Schema, o.FeatureColumnName, nameof(input));
        PredictionTask bound = task.FromLabel(input.Schema, o.LabelColumnName, nameof(input));
        DataViewSchema.Column label = input.Schema[o.LabelColumnName];
        DataViewSchema.Column? weight = FindWeight(input.Schema, nameof(input));

        // Data: one cursor pass into compact arrays.
        int vocabulary = tokens.AnnotatedVocabularySize ?? 0;
        int maximumLength = MaximumLength(tokens, ch);
        SequenceData train = SequenceData.Read(input, tokens, bound, label, weight, vocabulary, maximumLength, run.CheckAlive);
        Report(ch, "training", train, maximumLength);
        if (train.Count == 0)
            throw new InvalidOperationException(train.RowsRead == 0
                ? $"The training data is empty: there are no rows to train on (feature column '{o.FeatureColumnName}', label column '{o.LabelColumnName}')."
                : $"The training data has no usable rows: all {train.RowsRead} rows have a missing label in column '{o.LabelColumnName}' or an invalid weight.");
        if (vocabulary == 0)
        {
            vocabulary = tokens.VocabularySize(train.MaxId, train.MaxIdRow, o.MaximumInferredVocabularySize, nameof(o.MaximumInferredVocabularySize));
            ch.Info($"Vocabulary size {vocabulary} (largest token id + 1; the feature column '{o.FeatureColumnName}' has no \"{TokenAnnotations.Vocabulary}\" annotation).");
        }
        else
        {
            ch.Info($"Vocabulary size {vocabulary} (from the feature column '{o.FeatureColumnName}').");
        }

        SequenceData? validation = null;
        if (o.ValidationSet is IDataView validationSet)
        {
            validation = ReadValidation(validationSet, bound, vocabulary, maximumLength, run.CheckAlive);
            Report(ch, "validation", validation, maximumLength);
        }
        else if (o.EffectiveValidationFraction > 0)
        {
            var (trainRows, validationRows) = run.SplitForValidation(train.Count, "rows");
            (train, validation) = (train.Subset(trainRows), train.Subset(validationRows));
        }
        ch.Info($"Read the data in {run.ElapsedSeconds:F1} s.");

        if (task.Kind != RecurrentTask.Regression && train.ClassWeights(o.ClassWeighting, Math.Max(2, bound.Outputs)) is double[] classWeights)
        {
            train = train.WithClassWeights(classWeights);
            ch.Info($"Class weights ({o.ClassWeighting}): {string.Join(", ", classWeights.Select((w, c) => $"{c}: {w:G4}"))}.");
        }
        bound.PrepareTraining(train.Targets, validation?.Targets, ch);
        var architecture = new RecurrentEncoderOptions
        {
            VocabularySize = vocabulary,
            EmbeddingSize = o.EmbeddingSize,
            HiddenSize = o.HiddenSize,
            NumberOfLayers = o.NumberOfLayers,
            Bidirectional = o.Bidirectional,
            Cell = o.Cell,
            Dropout = o.Dropout,
            Pooling = o.Pooling,
            LearnInitialState = o.LearnInitialState,
            NGramLength = o.NGramLength,
            NGramBuckets = o.NGramLength >= 2 ? NGramBuckets(bound.Outputs) : 0,
            RecurrentLength = o.MaximumRecurrentLength,
        };
        RecurrentSequenceModel.CheckSize(architecture, bound.Outputs);
        CheckBatchMemory(train, validation, bound.Outputs);
        LanguageModelTransformer? loadedLanguageModel = o.PretrainedLanguageModelPath is string lmPath ? PretrainedLanguageModel.Load(env, lmPath) : null;
        try
        {
            PretrainedLanguageModel? pretrained = null;
            if ((o.PretrainedLanguageModel ?? loadedLanguageModel) is LanguageModelTransformer languageModel)
            {
                pretrained = PretrainedLanguageModel.Match(languageModel, o, vocabulary, tokens.TokenTexts(), o.FeatureColumnName);
                ch.Info($"Starting from the language model: embedding and recurrent layers ({pretrained.MatchedTokens} of {vocabulary} token ids matched), frozen for {o.PretrainedLayersFrozenEpochs} epoch(s), then at {o.PretrainedLearningRateFactor} times the learning rate.");
            }
            string[]? tokenTexts = o.PretrainedEmbeddingsPath is null ? null : tokens.TokenTexts()
                ?? throw new InvalidOperationException($"PretrainedEmbeddingsPath is set but the feature column '{o.FeatureColumnName}' has no \"{TokenAnnotations.Vocabulary}\" annotation (TokenizeToIds adds one) or text key values (MapValueToKey), so token ids cannot be matched to words.");

            Func<string, int, double>? factor = pretrained is null && o.NGramLength == 0 ? null
                : (name, epoch) => NGramBag.Owns(name) ? NGramBag.LearningRateFactor
                    : pretrained is null || !PretrainedLanguageModel.IsPretrained(name) ? 1
                    : epoch <= o.PretrainedLayersFrozenEpochs ? 0 : o.PretrainedLearningRateFactor;
            var (model, result) = run.Train(
                generator => CreateModel(architecture, bound.Outputs, tokenTexts, pretrained, generator, ch),
                (m, device) => new TrainingPlan<SequenceBatch>(
                    new SequenceBatcher(train.Sequences, train.Targets, train.Weights, o.BatchSize, o.BucketByLength, run.Seed, device),
                    validation is null ? null : new SequenceBatcher(validation.Sequences, validation.Targets, validation.Weights, o.BatchSize, bucketByLength: true, run.Seed, device),
                    new SequenceObjective(m, bound),
                    factor));
            bound.FinishTraining(model);
            return new RecurrentPredictionTransformer(env, bound, o.FeatureColumnName, maximumLength, model, run.Device, result.History);
        }
        finally
        {
            loadedLanguageModel?.Dispose();
        }
    }

    /// <summary>
    /// <see cref="RecurrentTrainerOptions.MaximumSequenceLength"/>, or its default: 2,048 when the feature column comes
    /// from a Character-mode tokenizer (its "TokenizerModel" annotation), else 512.
    /// </summary>
    private int MaximumLength(TokenIdColumn tokens, IChannel ch)
    {
        if (options.MaximumSequenceLength is int chosen)
            return chosen;
        bool characters = tokens.TokenizerModel() is byte[] model && TokenCodec.ModeOf(model) == TokenizerMode.Character;
        int limit = characters ? RecurrentTrainerOptions.DefaultMaximumCharacterSequenceLength : RecurrentTrainerOptions.DefaultMaximumSequenceLength;
        ch.Info($"Rows are cut to their first {limit} tokens ({nameof(RecurrentTrainerOptions.MaximumSequenceLength)} is null: {limit} for {(characters ? "a character tokenizer" : "word, subword or plain token ids")}; set it to choose, or 0 for no limit).");
        return limit;
    }

    /// <summary>
    /// Refuses data whose longest row would make a training batch need more memory than <see cref="TrainingMemory"/> allows:
    /// the recurrent layers over their part of the row (<see cref="RecurrentTrainerOptions.MaximumRecurrentLength"/>), the
    /// bag of n-grams over all of it.
    /// </summary>
    private void CheckBatchMemory(SequenceData train, SequenceData? validation, int outputs)
    {
        var o = options;
        long floats = TrainingMemory.FloatsPerPosition(o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumberOfLayers, o.Bidirectional ? 2 : 1);
        int longest = Math.Max(train.LongestRow, validation?.LongestRow ?? 0);
        int read = o.MaximumRecurrentLength > 0 ? Math.Min(longest, o.MaximumRecurrentLength) : longest; // the recurrent layers' part of it
        long rows = Math.Min(o.BatchSize, Math.Max(train.Count, validation?.Count ?? 0));
        string what = $"The longest row of column '{o.FeatureColumnName}' has {longest:N0} tokens";
        string advice = $"set {nameof(RecurrentTrainerOptions.MaximumSequenceLength)} (null = 512 tokens, 2,048 characters), lower {nameof(RecurrentTrainingOptions.BatchSize)} ({o.BatchSize}), or cut the rows before training (TokenizerOptions.MaximumLength)";
        TrainingMemory.Check(rows, read, floats, what + (read < longest ? $" (the recurrent layers read {read:N0}: {nameof(RecurrentTrainerOptions.MaximumRecurrentLength)})" : ""), advice);
        // The bag keeps, per n-gram of the padded batch, its id, mask and looked-up weights (one per output) and their gradient.
        if (o.NGramLength > 0)
            TrainingMemory.Check(rows, longest, (long)o.NGramLength * (2L * outputs + 4), what + $" (the bag of n-grams, {nameof(RecurrentTrainerOptions.NGramLength)} {o.NGramLength}, reads all of them)", advice);
    }

    /// <summary>The network, initialised from <paramref name="generator"/>, with the options' start (Keras initialisation, pretrained and frozen embeddings).</summary>
    private RecurrentSequenceModel CreateModel(RecurrentEncoderOptions architecture, int outputs, string[]? tokenTexts, PretrainedLanguageModel? pretrained, Generator generator, IChannel ch)
    {
        var o = options;
        var model = new RecurrentSequenceModel(architecture, outputs, generator);
        try
        {
            if (o.RecurrentInitialization == RecurrentInitialization.Keras)
                model.Encoder.InitializeKeras(generator);
            pretrained?.Apply(model);
            if (tokenTexts is not null)
                PretrainedEmbeddings.Apply(model.Encoder.Embedding, o.PretrainedEmbeddingsPath!, tokenTexts, generator, ch);
            if (o.FreezeEmbeddings)
                model.Encoder.Embedding.weight!.requires_grad = false;
            model.Encoder.EmbeddingDropout = o.EmbeddingDropout;
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Hash buckets for word pairs: 2^18, fewer when the outputs would make the table larger than 2^24 weights.</summary>
    private static int NGramBuckets(int outputs) => Math.Max(1 << 12, Math.Min(1 << 18, (1 << 24) / Math.Max(1, outputs)));

    private DataViewSchema.Column? FindWeight(DataViewSchema schema, string paramName) => options.ExampleWeightColumnName is string name
        ? SchemaErrors.Require(schema, name, "weight", "Single", t => t == NumberDataViewType.Single, paramName)
        : null;

    private SequenceData ReadValidation(IDataView data, PredictionTask trained, int vocabulary, int maximumLength, Action checkAlive)
    {
        const string param = nameof(RecurrentTrainingOptions.ValidationSet);
        TokenIdColumn tokens = TokenIdColumn.Find(data.Schema, options.FeatureColumnName, param);
        trained.CheckSameLabel(task.FromLabel(data.Schema, options.LabelColumnName, param), data.Schema, options.LabelColumnName, param);
        DataViewSchema.Column? weight = FindWeight(data.Schema, param);
        return SequenceData.Read(data, tokens, trained, data.Schema[options.LabelColumnName], weight, vocabulary, maximumLength, checkAlive);
    }

    private void Report(IChannel ch, string what, SequenceData data, int maximumLength)
    {
        ch.Info($"Read {data.RowsRead} {what} row(s); using {data.Count}.");
        if (data.RowsCut > 0)
            ch.Info($"Cut {data.RowsCut} {what} row(s) longer than {maximumLength} tokens to their first {maximumLength} ({nameof(RecurrentTrainerOptions.MaximumSequenceLength)}; 0 lifts the limit).");
        if (data.MissingLabels > 0)
            ch.Warning($"Skipped {data.MissingLabels} {what} row(s) with a missing label in column '{options.LabelColumnName}'.");
        if (data.BadWeights > 0)
            ch.Warning($"Skipped {data.BadWeights} {what} row(s) with a NaN, infinite or negative weight in column '{options.ExampleWeightColumnName}'.");
    }
}
