using System.Diagnostics;
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
    private const int DefaultSeed = 42;
    private readonly IHostEnvironment env;
    private readonly IHost host;
    private readonly RecurrentTrainerOptions options;

    internal RecurrentTrainer(IHostEnvironment env, RecurrentTask task, RecurrentTrainerOptions options)
    {
        this.env = env ?? throw new ArgumentNullException(nameof(env));
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(task))
            throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task.");
        options.Validate();
        this.options = options.Clone();
        Task = task;
        host = env.Register(nameof(RecurrentTrainer));
    }

    /// <summary>The task this trainer learns.</summary>
    public RecurrentTask Task { get; }

    /// <summary>The trainer's options (a copy taken when the trainer was created; do not modify).</summary>
    public RecurrentTrainerOptions Options => options;

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        host.CheckValue(inputSchema, nameof(inputSchema));
        TokenIdColumn.Check(inputSchema, options.FeatureColumnName);
        if (options.ExampleWeightColumnName is string weight)
        {
            if (!inputSchema.TryFindColumn(weight, out var w))
                throw SchemaErrors.Missing(nameof(inputSchema), "weight", weight, "Single");
            if (w.Kind != SchemaShape.Column.VectorKind.Scalar || w.IsKey || w.ItemType != NumberDataViewType.Single)
                throw SchemaErrors.Mismatch(nameof(inputSchema), "weight", weight, "Single", w.GetTypeString());
        }
        SchemaShape.Column[] outputs = Task switch
        {
            RecurrentTask.BinaryClassification => BinaryClassificationTask.OutputShape(inputSchema, options.LabelColumnName),
            RecurrentTask.MulticlassClassification => MulticlassClassificationTask.OutputShape(inputSchema, options.LabelColumnName),
            _ => RegressionTask.OutputShape(inputSchema, options.LabelColumnName),
        };
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in outputs)
            columns[column.Name] = column;
        return new SchemaShape(columns.Values);
    }

    /// <summary>
    /// Trains on <paramref name="trainData"/>, evaluating <paramref name="validationData"/> after every epoch (as
    /// <see cref="RecurrentTrainerOptions.ValidationSet"/> does), and returns the transformer.
    /// </summary>
    public RecurrentPredictionTransformer Fit(IDataView trainData, IDataView validationData)
    {
        ArgumentNullException.ThrowIfNull(validationData);
        var options = this.options.Clone();
        options.ValidationSet = validationData;
        options.ValidationFraction = 0;
        return new RecurrentTrainer(env, Task, options).Fit(trainData);
    }

    /// <summary>Trains the model on <paramref name="input"/> (and the validation data, if any) and returns the transformer.</summary>
    public RecurrentPredictionTransformer Fit(IDataView input)
    {
        host.CheckValue(input, nameof(input));
        TorchRuntime.EnsureLoaded();
        using IChannel ch = host.Start("Training");
        var o = options;
        Action checkAlive = () =>
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            host.CheckAlive();
            env.CheckAlive();
        };

        // Schema: token ids, label, optional weight.
        TokenIdColumn tokens = TokenIdColumn.Find(input.Schema, o.FeatureColumnName, nameof(input));
        IPredictionTask task = CreateTask(input.Schema, nameof(input));
        DataViewSchema.Column label = input.Schema[o.LabelColumnName];
        DataViewSchema.Column? weight = FindWeight(input.Schema, nameof(input));

        // Data: one cursor pass into compact arrays.
        int vocabulary = tokens.AnnotatedVocabularySize ?? 0;
        var clock = Stopwatch.StartNew();
        SequenceData train = SequenceData.Read(input, tokens, task, label, weight, vocabulary, o.MaximumSequenceLength, checkAlive);
        Report(ch, "training", train);
        if (train.Count == 0)
            throw new InvalidOperationException(train.RowsRead == 0
                ? $"The training data is empty: there are no rows to train on (feature column '{o.FeatureColumnName}', label column '{o.LabelColumnName}')."
                : $"The training data has no usable rows: all {train.RowsRead} rows have a missing label in column '{o.LabelColumnName}' or an invalid weight.");
        if (vocabulary == 0)
        {
            vocabulary = Math.Max(2, train.MaxId + 1);
            ch.Info($"Vocabulary size {vocabulary} (largest token id + 1; the feature column '{o.FeatureColumnName}' has no \"{TokenIdColumn.VocabularyAnnotation}\" annotation).");
        }
        else
        {
            ch.Info($"Vocabulary size {vocabulary} (from the feature column '{o.FeatureColumnName}').");
        }

        SequenceData? validation = null;
        if (o.ValidationSet is IDataView validationSet)
        {
            validation = ReadValidation(validationSet, task, vocabulary, checkAlive);
            Report(ch, "validation", validation);
        }
        else if (o.ValidationFraction > 0)
        {
            if (train.Count < 2)
                throw new InvalidOperationException($"ValidationFraction needs at least 2 usable training rows; there is {train.Count}.");
            (train, validation) = train.Split(o.ValidationFraction, SeedFor(o));
            ch.Info($"Held out {validation.Count} of {train.Count + validation.Count} training rows for validation (ValidationFraction {o.ValidationFraction}).");
        }
        ch.Info($"Read the data in {clock.Elapsed.TotalSeconds:F1} s.");

        Device device = TorchDevices.Resolve(o.Device, out string deviceMessage);
        ch.Info(deviceMessage);
        ISequenceHead head = task.PrepareTraining(train.Targets, validation?.Targets, ch);
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
        };
        string[]? tokenTexts = o.PretrainedEmbeddingsPath is null ? null : tokens.TokenTexts()
            ?? throw new InvalidOperationException($"PretrainedEmbeddingsPath is set but the feature column '{o.FeatureColumnName}' has no \"{TokenIdColumn.VocabularyAnnotation}\" annotation (TokenizeToIds adds one) or text key values (MapValueToKey), so token ids cannot be matched to words.");

        // Thread count, seeding and training all happen under the training lock, so concurrent Fit calls don't interfere.
        var (model, result) = TorchDeterminism.Run(SeedFor(o), generator =>
        {
            int previousThreads = get_num_threads();
            if (o.NumberOfThreads is int threads)
            {
                set_num_threads(threads);
                ch.Info($"Training with {threads} libtorch thread(s).");
            }
            try
            {
                return Train(architecture, task, head, train, validation, tokenTexts, device, generator, checkAlive, ch);
            }
            finally
            {
                if (o.NumberOfThreads is not null)
                    set_num_threads(previousThreads);
            }
        });
        ch.Info($"Trained {result.EpochsRun} epoch(s) in {clock.Elapsed.TotalSeconds:F1} s" +
            (result.BestValidationLoss is double best ? $"; best validation loss {best:F4} after epoch {result.BestEpoch}." : "."));
        return new RecurrentPredictionTransformer(env, task, o.FeatureColumnName, o.MaximumSequenceLength, model, device, result.History);
    }

    private (RecurrentSequenceModel Model, TrainingResult Result) Train(RecurrentEncoderOptions architecture, IPredictionTask task, ISequenceHead head,
        SequenceData train, SequenceData? validation, string[]? tokenTexts, Device device, Generator generator, Action checkAlive, IChannel ch)
    {
        var o = options;
        var model = new RecurrentSequenceModel(architecture, task.Outputs, generator);
        try
        {
            if (o.RecurrentInitialization == RecurrentInitialization.Keras)
                model.Encoder.InitializeKeras(generator);
            if (tokenTexts is not null)
                PretrainedEmbeddings.Apply(model.Encoder.Embedding, o.PretrainedEmbeddingsPath!, tokenTexts, generator, ch);
            if (device.type != DeviceType.CPU)
                model.to(device);
            if (o.FreezeEmbeddings)
                model.Encoder.Embedding.weight!.requires_grad = false;

            int seed = SeedFor(o);
            var batcher = new SequenceBatcher(train.Sequences, train.Targets, train.Weights, o.BatchSize, o.BucketByLength, seed, device);
            var validationBatcher = validation is null ? null
                : new SequenceBatcher(validation.Sequences, validation.Targets, validation.Weights, o.BatchSize, bucketByLength: true, seed, device);
            var settings = new TrainingSettings
            {
                NumberOfEpochs = o.NumberOfEpochs,
                LearningRate = o.LearningRate,
                Optimizer = o.Optimizer,
                WeightDecay = o.WeightDecay,
                Momentum = o.Momentum,
                AdamBeta1 = o.AdamBeta1,
                AdamBeta2 = o.AdamBeta2,
                GradientClipNorm = o.GradientClipNorm,
                Schedule = o.LearningRateSchedule,
                StepDecayFactor = o.StepDecayFactor,
                WarmupSteps = o.WarmupSteps,
                EarlyStoppingPatience = o.EarlyStoppingPatience,
                RestoreBestWeights = o.RestoreBestWeights,
                Progress = o.Progress,
                CancellationToken = o.CancellationToken,
                CheckAlive = checkAlive,
                Log = message => ch.Info(message),
            };
            var objective = new SequenceObjective(model, head);
            TrainingResult result = new TrainingLoop<SequenceBatch>(model, batcher, validationBatcher, objective, settings).Run();
            task.FinishTraining(model);
            model.eval();
            return (model, result);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private IPredictionTask CreateTask(DataViewSchema schema, string paramName) => Task switch
    {
        RecurrentTask.BinaryClassification => BinaryClassificationTask.FromLabel(schema, options.LabelColumnName, paramName),
        RecurrentTask.MulticlassClassification => MulticlassClassificationTask.FromLabel(schema, options.LabelColumnName, paramName),
        _ => RegressionTask.FromLabel(schema, options.LabelColumnName, paramName),
    };

    private DataViewSchema.Column? FindWeight(DataViewSchema schema, string paramName)
    {
        if (options.ExampleWeightColumnName is not string name)
            return null;
        if (schema.GetColumnOrNull(name) is not DataViewSchema.Column column)
            throw SchemaErrors.Missing(paramName, "weight", name, "Single");
        if (column.Type != NumberDataViewType.Single)
            throw SchemaErrors.Mismatch(paramName, "weight", name, "Single", column.Type);
        return column;
    }

    private SequenceData ReadValidation(IDataView data, IPredictionTask task, int vocabulary, Action checkAlive)
    {
        const string param = nameof(RecurrentTrainerOptions.ValidationSet);
        TokenIdColumn tokens = TokenIdColumn.Find(data.Schema, options.FeatureColumnName, param);
        CreateTask(data.Schema, param); // validates the label column's type
        if (task is MulticlassClassificationTask multiclass)
            multiclass.CheckSameClasses(data.Schema, options.LabelColumnName, param);
        DataViewSchema.Column? weight = FindWeight(data.Schema, param);
        return SequenceData.Read(data, tokens, task, data.Schema[options.LabelColumnName], weight, vocabulary, options.MaximumSequenceLength, checkAlive);
    }

    private void Report(IChannel ch, string what, SequenceData data)
    {
        ch.Info($"Read {data.RowsRead} {what} row(s); using {data.Count}.");
        if (data.MissingLabels > 0)
            ch.Warning($"Skipped {data.MissingLabels} {what} row(s) with a missing label in column '{options.LabelColumnName}'.");
        if (data.BadWeights > 0)
            ch.Warning($"Skipped {data.BadWeights} {what} row(s) with a NaN, infinite or negative weight in column '{options.ExampleWeightColumnName}'.");
    }

    private int SeedFor(RecurrentTrainerOptions o) => o.Seed ?? (env as IHostEnvironmentInternal)?.Seed ?? DefaultSeed;
}
