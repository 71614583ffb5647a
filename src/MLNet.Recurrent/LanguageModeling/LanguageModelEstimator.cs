using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace MLNet.Recurrent;

/// <summary>
/// Trains a recurrent next-token model (see <see cref="LanguageModelOptions"/>); created by
/// <c>mlContext.Transforms.Text.TrainLanguageModel(options)</c>. The vocabulary size is the length of the token-id
/// column's <c>"Vocabulary"</c> annotation (else the largest id seen + 1); the annotations are kept so the fitted
/// <see cref="LanguageModelTransformer"/> can encode prompts and decode generated ids.
/// </summary>
public sealed class LanguageModelEstimator : IEstimator<LanguageModelTransformer>
{
    private readonly IHost host;
    private readonly LanguageModelOptions options;

    internal LanguageModelEstimator(IHostEnvironment env, LanguageModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        host = env.Register(nameof(LanguageModelEstimator));
        this.options = options;
    }

    /// <summary>Trains on <paramref name="input"/> (and <see cref="LanguageModelOptions.ValidationSet"/>) and returns the fitted transformer.</summary>
    /// <exception cref="ArgumentException">An option is invalid, the token column is missing or not a vector of Int32 ids, or no row has 2 tokens.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public LanguageModelTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        options.Validate();
        TorchRuntime.EnsureLoaded();
        using IChannel ch = host.Start("Training language model");
        DataViewSchema.Column column = LanguageModelInputColumn.Find(input.Schema, options.InputColumnName);
        string[]? vocabulary = LanguageModelInputColumn.Vocabulary(column);
        byte[]? tokenizerModel = LanguageModelInputColumn.TokenizerModel(column);
        List<int[]> train = LanguageModelInputColumn.ReadRows(input, column, vocabulary?.Length, strict: true, host.CheckAlive);
        int vocabularySize = vocabulary?.Length ?? Math.Max(2, train.Select(r => r.Length == 0 ? 0 : r.Max()).DefaultIfEmpty(0).Max() + 1);
        if (vocabularySize < 2)
            throw new ArgumentException($"Column '{column.Name}' has a \"Vocabulary\" annotation of {vocabularySize} ids; a language model needs at least 2.", nameof(input));
        if (!train.Any(r => r.Length >= 2))
            throw new ArgumentException($"No row of column '{column.Name}' has 2 or more tokens (<pad> ids excluded), so there is nothing to predict.", nameof(input));

        List<int[]>? valid = null;
        if (options.ValidationSet is { } validationSet)
        {
            DataViewSchema.Column validColumn = LanguageModelInputColumn.Find(validationSet.Schema, options.InputColumnName);
            valid = LanguageModelInputColumn.ReadRows(validationSet, validColumn, vocabularySize, strict: false, host.CheckAlive);
        }

        long[] counts = new long[vocabularySize];
        foreach (int[] row in train)
            foreach (int id in row)
                counts[id]++;

        int seed = options.Seed ?? host.Rand.Next();
        var device = TorchDevices.Resolve(options.Device, out string deviceMessage);
        ch.Info("{0}", deviceMessage);
        LanguageModelArchitecture architecture = options.Architecture(vocabularySize);
        var settings = new TrainingSettings
        {
            NumberOfEpochs = options.NumberOfEpochs,
            LearningRate = options.LearningRate,
            Optimizer = options.Optimizer,
            AdamBeta1 = options.AdamBeta1,
            AdamBeta2 = options.AdamBeta2,
            WeightDecay = options.WeightDecay,
            Schedule = options.Schedule,
            WarmupSteps = options.WarmupSteps,
            GradientClipNorm = options.GradientClipNorm,
            EarlyStoppingPatience = options.EarlyStoppingPatience,
            TimeLimit = options.MaximumTrainingTime,
            Progress = options.Progress,
            CancellationToken = options.CancellationToken,
            CheckAlive = host.CheckAlive,
            Log = message => ch.Info("{0}", message),
        };

        var (model, result) = TorchDeterminism.Run(seed, generator =>
        {
            var m = new RecurrentLanguageModel(architecture, generator);
            try
            {
                // Start from the unigram model: the first steps then go to what the context adds, not to token frequencies.
                m.InitializeOutputBias(counts);
                if (options.RecurrentInitialization == RecurrentInitialization.Keras)
                    m.InitializeKeras(generator);
                m.to(device);
                IBatchSource<LanguageModelBatch> trainSource = CreateSource(train, seed, device);
                IBatchSource<LanguageModelBatch>? validSource = valid is null ? null : CreateSource(valid, seed, device);
                using var objective = new LanguageModelObjective(m);
                TrainingResult r = new TrainingLoop<LanguageModelBatch>(m, trainSource, validSource, objective, settings).Run();
                return (m, r);
            }
            catch
            {
                m.Dispose();
                throw;
            }
        });
        return new LanguageModelTransformer(host, model, device, new LanguageModelColumns(options), vocabulary, tokenizerModel, counts, result.History);
    }

    /// <summary>The input schema plus <c>LogLikelihood</c> (Single), <c>TokenCount</c> (Int32) and <c>Perplexity</c> (Single).</summary>
    /// <exception cref="ArgumentException">The token column is missing or not a vector of Int32 ids.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(options.InputColumnName, out SchemaShape.Column column))
            throw new ArgumentException($"Column '{options.InputColumnName}' (the token ids) is not in the data.", nameof(inputSchema));
        if (!LanguageModelInputColumn.IsValid(column))
            throw new ArgumentException(LanguageModelInputColumn.Describe(options.InputColumnName, column.GetTypeString()), nameof(inputSchema));
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var (name, type) in new LanguageModelColumns(options).Outputs)
            result[name] = new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Scalar, type, false);
        return new SchemaShape(result.Values);
    }

    private IBatchSource<LanguageModelBatch> CreateSource(List<int[]> rows, int seed, TorchSharp.torch.Device device) => options.Corpus switch
    {
        LanguageModelCorpus.Continuous => new ContinuousStreamBatcher(rows.SelectMany(r => r).ToArray(), options.BatchSize, options.SequenceLength, seed, device),
        _ => new IndependentRowsBatcher(rows, options.SequenceLength, options.BatchSize, seed, device),
    };
}
