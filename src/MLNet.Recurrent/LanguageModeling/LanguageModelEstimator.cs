using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace MLNet.Recurrent;

/// <summary>
/// Trains a recurrent next-token model (see <see cref="LanguageModelOptions"/>); created by
/// <c>mlContext.Transforms.Text.TrainLanguageModel(options)</c>. The token-id column is read by the same contract as the
/// trainers' feature column (<see cref="LanguageModelOptions.InputColumnName"/>); its vocabulary size is the length of
/// the column's <c>"Vocabulary"</c> annotation (or the key count + 1, else the largest id seen + 1), and its annotations
/// are kept so the fitted <see cref="LanguageModelTransformer"/> can encode prompts and decode generated ids.
/// </summary>
public sealed class LanguageModelEstimator : IEstimator<LanguageModelTransformer>
{
    private readonly IHostEnvironment env;
    private readonly IHost host;
    private readonly LanguageModelOptions options;

    internal LanguageModelEstimator(IHostEnvironment env, LanguageModelOptions options)
    {
        this.env = env ?? throw new ArgumentNullException(nameof(env));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options.Copy<LanguageModelOptions>();
        host = env.Register(nameof(LanguageModelEstimator));
    }

    /// <summary>Trains on <paramref name="input"/> (and the validation data, if any) and returns the fitted transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The token column is missing or is not a vector of Int32 ids or keys.</exception>
    /// <exception cref="InvalidOperationException">
    /// No row has 2 tokens; the validation split has too little data; a raw token id implies a vocabulary larger than
    /// <see cref="RecurrentTrainingOptions.MaximumInferredVocabularySize"/>; a batch would need more memory than allowed
    /// (docs/reliability.md); or training diverged (the message names the batch and the learning rate).
    /// </exception>
    /// <exception cref="ArgumentException">The network for this vocabulary would be larger than the library allows.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public LanguageModelTransformer Fit(IDataView input)
    {
        host.CheckValue(input, nameof(input));
        var o = options;
        using var run = TrainingRun.Start(env, host, o, "Training language model");
        TokenIdColumn column = TokenIdColumn.Find(input.Schema, o.InputColumnName, nameof(input), role: "input");
        string[]? vocabulary = column.Vocabulary();
        byte[]? tokenizerModel = column.TokenizerModel();
        var (train, largestId, largestIdRow) = column.ReadRows(input, column.AnnotatedVocabularySize ?? 0, 0, run.CheckAlive);
        int vocabularySize = column.VocabularySize(largestId, largestIdRow, o.MaximumInferredVocabularySize, nameof(o.MaximumInferredVocabularySize));
        if (!train.Any(r => r.Length >= 2))
            throw new InvalidOperationException($"No row of column '{column.Name}' has 2 or more tokens (<pad> ids excluded), so there is nothing to predict.");

        List<int[]>? valid = null;
        if (o.ValidationSet is { } validationSet)
        {
            TokenIdColumn validColumn = TokenIdColumn.Find(validationSet.Schema, o.InputColumnName, nameof(o.ValidationSet), role: "input");
            valid = validColumn.ReadRows(validationSet, vocabularySize, 0, run.CheckAlive).Rows;
        }
        else if (o.EffectiveValidationFraction > 0)
        {
            (train, valid) = SplitForValidation(run, train);
        }

        long[] counts = new long[vocabularySize];
        foreach (int[] row in train)
            foreach (int id in row)
                counts[id]++;
        run.Channel.Info($"Vocabulary size {vocabularySize}; {counts.Sum()} training tokens in {train.Count} row(s).");

        LanguageModelArchitecture architecture = o.Architecture(vocabularySize);
        architecture.Validate();
        // Every batch is BatchSize rows (streams) × SequenceLength positions, with logits over the vocabulary at each.
        TrainingMemory.Check(o.BatchSize, o.SequenceLength,
            TrainingMemory.FloatsPerPosition(o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumberOfLayers, 1, extra: 3L * vocabularySize),
            $"A language model over {vocabularySize:N0} token ids",
            $"lower {nameof(RecurrentTrainingOptions.BatchSize)} ({o.BatchSize}) or {nameof(LanguageModelOptions.SequenceLength)} ({o.SequenceLength}), or the vocabulary size");
        var (model, result) = run.Train(
            generator => CreateModel(architecture, counts, generator),
            (m, device) => new TrainingPlan<LanguageModelBatch>(
                CreateSource(train, run.Seed, device),
                valid is null ? null : CreateSource(valid, run.Seed, device),
                new LanguageModelObjective(m, o.DropoutStartEpoch, message => run.Channel.Info(message))));
        return new LanguageModelTransformer(host, model, run.Device, new LanguageModelColumns(o), vocabulary, tokenizerModel, counts, result.History);
    }

    /// <summary>The input schema plus <c>LogLikelihood</c> (Single), <c>TokenCount</c> (Int32) and <c>Perplexity</c> (Single).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The token column is missing or is not a vector of Int32 ids or keys.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        host.CheckValue(inputSchema, nameof(inputSchema));
        TokenIdColumn.Check(inputSchema, options.InputColumnName, role: "input");
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var (name, type) in new LanguageModelColumns(options).Outputs)
            result[name] = new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Scalar, type, false);
        return new SchemaShape(result.Values);
    }

    /// <summary>
    /// <see cref="RecurrentTrainingOptions.ValidationFraction"/>: independent rows are drawn at random; one continuous text
    /// keeps its order and holds out its last tokens.
    /// </summary>
    private (List<int[]> Train, List<int[]> Validation) SplitForValidation(TrainingRun run, List<int[]> rows)
    {
        if (options.Corpus == LanguageModelCorpus.Continuous)
        {
            int[] text = rows.SelectMany(r => r).ToArray();
            int held = (int)Math.Round(text.Length * options.EffectiveValidationFraction);
            if (held < 2 || text.Length - held < 2)
                throw new InvalidOperationException($"{nameof(RecurrentTrainingOptions.ValidationFraction)} is {options.EffectiveValidationFraction}, which leaves {text.Length - held} training and {held} validation tokens of {text.Length}; each side needs at least 2.");
            run.Channel.Info($"Held out the last {held} of {text.Length} tokens of the text for validation ({nameof(RecurrentTrainingOptions.ValidationFraction)} {options.EffectiveValidationFraction}).");
            return ([text[..^held]], [text[^held..]]);
        }
        var (train, validation) = run.SplitForValidation(rows.Count, "rows");
        return (train.Select(i => rows[i]).ToList(), validation.Select(i => rows[i]).ToList());
    }

    /// <summary>The network, initialised from <paramref name="generator"/>, starting from the unigram model.</summary>
    private RecurrentLanguageModel CreateModel(LanguageModelArchitecture architecture, long[] counts, torch.Generator generator)
    {
        var model = new RecurrentLanguageModel(architecture, generator);
        try
        {
            // Start from the unigram model: the first steps then go to what the context adds, not to token frequencies.
            model.InitializeOutputBias(counts);
            if (options.RecurrentInitialization == RecurrentInitialization.Keras)
                model.InitializeKeras(generator);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private IBatchSource<LanguageModelBatch> CreateSource(List<int[]> rows, int seed, torch.Device device) => options.Corpus switch
    {
        LanguageModelCorpus.Continuous => new ContinuousStreamBatcher(rows.SelectMany(r => r).ToArray(), options.BatchSize, options.SequenceLength, seed, device),
        _ => new IndependentRowsBatcher(rows, options.SequenceLength, options.BatchSize, seed, device),
    };
}
