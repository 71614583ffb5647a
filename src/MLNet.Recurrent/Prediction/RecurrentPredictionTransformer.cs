using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Recurrent;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(RecurrentPredictionTransformer), null, typeof(SignatureLoadModel),
    "Recurrent Prediction Transformer", RecurrentPredictionTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(RecurrentPredictionTransformer), null, typeof(SignatureLoadRowMapper),
    "Recurrent Prediction Transformer", RecurrentPredictionTransformer.LoaderSignature)]

namespace MLNet.Recurrent;

/// <summary>
/// A trained recurrent text model as an ML.NET transformer: reads the token-id column and adds the task's standard
/// output columns (binary: <c>Score</c>, <c>Probability</c>, <c>PredictedLabel</c>; multiclass: <c>Score</c>,
/// <c>PredictedLabel</c>; regression: <c>Score</c>), so ML.NET's evaluators, <c>MapKeyToValue</c> and
/// <c>PredictionEngine</c> work unchanged. <see cref="Transform"/> scores in batches; prediction engines score one row
/// at a time. Saves into and loads from the ML.NET model zip; a model loads onto the CPU.
/// <para>
/// <b>Threads and ownership.</b> The model is thread-safe for scoring: any number of <c>Transform</c> cursors and
/// prediction engines may use it at once, one engine per thread (an engine itself is not thread-safe). ML.NET's
/// <c>mlContext.Model.CreatePredictionEngine(model)</c> owns the model by default and disposes it when the engine is
/// disposed; to share a model between engines, create them with
/// <c>new PredictionEngineOptions { OwnsTransformer = false }</c> and dispose the model yourself when all are done.
/// </para>
/// <para>
/// <b>Disposal.</b> <see cref="Dispose"/> releases the native (libtorch) memory; calls already running finish first,
/// and every later call throws <see cref="ObjectDisposedException"/> — a disposed model never reaches native code. A
/// model that is never disposed releases its native memory when the garbage collector collects it.
/// </para>
/// </summary>
public sealed class RecurrentPredictionTransformer : ITransformer, IDisposable
{
    internal const string LoaderSignature = "RecurrentPrediction"; // at most 24 characters (ModelHeader)
    private const string WeightsStream = "Weights.bin";
    private const string Component = "Recurrent prediction transformer";

    private readonly IHost host;
    private readonly PredictionTask task;
    private readonly ModuleOwner<RecurrentSequenceModel> owner;

    internal RecurrentPredictionTransformer(IHostEnvironment env, PredictionTask task, string featureColumnName, int maximumSequenceLength,
        RecurrentSequenceModel model, TorchSharp.torch.Device device, IReadOnlyList<TrainingProgress> history)
    {
        host = env.Register(nameof(RecurrentPredictionTransformer));
        this.task = task;
        EncoderOptions = model.Encoder.Options;
        FeatureColumnName = featureColumnName;
        MaximumSequenceLength = maximumSequenceLength;
        Device = device.ToString();
        TrainingHistory = history;
        model.eval();
        Scorer = new SequenceScorer(model, device, task.Outputs);
        owner = new ModuleOwner<RecurrentSequenceModel>(model, nameof(RecurrentPredictionTransformer));
    }

    /// <summary>The task: binary classification, multiclass classification or regression.</summary>
    public RecurrentTask Task => task.Kind;

    /// <summary>The token-id input column.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The network's architecture (vocabulary size, embedding, cell, hidden size, layers, direction, pooling).</summary>
    public RecurrentEncoderOptions EncoderOptions { get; }

    /// <summary>Network outputs: the number of classes for multiclass classification, else 1.</summary>
    public int NumberOfOutputs => task.Outputs;

    /// <summary>
    /// Sequences longer than this are cut to their first tokens before scoring, as in training (the trainer's
    /// <see cref="RecurrentTrainerOptions.MaximumSequenceLength"/>, its default resolved: 512, or 2,048 for characters);
    /// 0 = no limit (forward-only networks then read long rows in windows; bidirectional ones refuse rows over 65,536 tokens).
    /// </summary>
    public int MaximumSequenceLength { get; }

    /// <summary>The device the model runs on (<c>"cpu"</c>, <c>"cuda:0"</c>, …). Loaded models run on the CPU.</summary>
    public string Device { get; }

    /// <summary>
    /// The TorchSharp module (embedding → recurrent layers → pooling → linear), in eval mode. Raw outputs are logits
    /// (classification) or the prediction (regression).
    /// </summary>
    internal RecurrentSequenceModel Model => owner.Unguarded;

    /// <summary>Number of weights of the network (embedding, recurrent layers, output layer), as Keras's <c>count_params()</c>.</summary>
    public long NumberOfParameters
    {
        get
        {
            using var use = owner.Use();
            return use.Module.parameters().Sum(p => p.numel());
        }
    }

    /// <summary>Progress reported after every training epoch (empty for a loaded model).</summary>
    public IReadOnlyList<TrainingProgress> TrainingHistory { get; }

    /// <summary>Always true: the transformer maps rows to rows.</summary>
    public bool IsRowToRowMapper => true;

    internal SequenceScorer Scorer { get; }

    internal PredictionTask PredictionTask => task;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        host.CheckValue(inputSchema, nameof(inputSchema));
        TokenIdColumn.Find(inputSchema, FeatureColumnName);
        return new ColumnBindings(inputSchema, task.OutputColumns(inputSchema)).Schema;
    }

    /// <summary>Adds the output columns to <paramref name="input"/>. Rows are scored lazily, in batches, as a cursor moves.</summary>
    public IDataView Transform(IDataView input)
    {
        ThrowIfDisposed();
        host.CheckValue(input, nameof(input));
        return new OnnxScoringDataView(this, input, new BatchScoringDataView(host, this, input)); // exportable by ConvertToOnnx (Onnx/)
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        host.CheckValue(inputSchema, nameof(inputSchema));
        return new RowToRowMapperTransform(host, new EmptyDataView(host, inputSchema), new RecurrentRowMapper(this, inputSchema), s => new RecurrentRowMapper(this, s));
    }

    /// <summary>
    /// Releases the model's native (libtorch) memory. Every later call that needs the model (<c>Transform</c>'s cursors,
    /// prediction engines, saving) throws <see cref="ObjectDisposedException"/>; calls already running on other threads
    /// finish first (the memory is released when the last one ends), so disposing never crashes a concurrent prediction.
    /// A transformer that is never disposed releases its native memory when the garbage collector collects it.
    /// </summary>
    public void Dispose() => owner.Dispose();

    internal void ThrowIfDisposed() => owner.ThrowIfDisposed();

    /// <summary>Starts a call that reaches the native model; the model is not freed before the lease ends.</summary>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    internal ModuleOwner<RecurrentSequenceModel>.Lease Use() => owner.Use();

    /// <summary>The owner of the native model (tests).</summary>
    internal ModuleOwner<RecurrentSequenceModel> Owner => owner;

    internal IRowMapper CreateRowMapper(DataViewSchema inputSchema) => new RecurrentRowMapper(this, inputSchema);

    private const uint InitialStateVersion = 0x00010002;
    private const uint RecurrentLengthVersion = 0x00010003;

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "RNNSEQPT",
        verWrittenCur: RecurrentLengthVersion, // the architecture ends with RecurrentLength (0x00010002: with LearnInitialState and the bag)
        verReadableCur: RecurrentLengthVersion,
        verWeCanReadBack: 0x00010001, // initial format: no LearnInitialState (false)
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(RecurrentPredictionTransformer).Assembly.FullName);

    void ICanSaveModel.Save(ModelSaveContext ctx) => Save(ctx);

    internal void Save(ModelSaveContext ctx)
    {
        host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format ***
        // int: task kind (RecurrentTask)
        // string id: feature column name
        // encoder options (RecurrentEncoderOptions.Write)
        // int: network outputs
        // int: maximum sequence length (0 = none)
        // task-specific part (IPredictionTask.Save)
        // stream Weights.bin: TorchWeights format
        using var use = Use();
        ctx.Writer.Write((int)task.Kind);
        ctx.SaveNonEmptyString(FeatureColumnName);
        EncoderOptions.Write(ctx.Writer);
        ctx.Writer.Write(task.Outputs);
        ctx.Writer.Write(MaximumSequenceLength);
        task.Save(host, ctx.Writer);
        ctx.SaveBinaryStream(WeightsStream, w => TorchWeights.Write(w, use.Module));
    }

    // Factory method for SignatureLoadModel.
    private static RecurrentPredictionTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        TorchRuntime.EnsureLoaded();

        PredictionTask task;
        string feature;
        RecurrentEncoderOptions architecture;
        int maximumLength;
        try
        {
            var kind = (RecurrentTask)ctx.Reader.ReadInt32();
            feature = ctx.LoadNonEmptyString();
            architecture = RecurrentEncoderOptions.Read(ctx.Reader,
                withInitialState: ctx.Header.ModelVerWritten >= InitialStateVersion, withRecurrentLength: ctx.Header.ModelVerWritten >= RecurrentLengthVersion);
            int outputs = ctx.Reader.ReadInt32();
            maximumLength = ctx.Reader.ReadInt32();
            PredictionTask registered = PredictionTasks.Find(kind)
                ?? throw new InvalidDataException($"{Component}: unknown task kind {(int)kind} in the model.");
            task = registered.Load(env, ctx.Reader, Component);
            if (task.Outputs != outputs || maximumLength < 0)
                throw new InvalidDataException($"{Component}: inconsistent settings in the model ({outputs} outputs for {kind}, maximum length {maximumLength}).");
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{Component}: the model's settings are truncated.", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(Component, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{Component}: {e.Message}", e);
        }

        // Nothing is allocated from the saved sizes before the weights agree with them: the architecture is bounded
        // (NetworkLimits), every tensor header is checked against it, and the weights' bytes must really be there.
        try
        {
            RecurrentSequenceModel.CheckSize(architecture, task.Outputs);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{Component}: the saved architecture is invalid: {e.Message}", e);
        }
        TorchWeights.Saved? weights = null;
        string source = $"{Component} ({WeightsStream})";
        if (!ctx.TryLoadBinaryStream(WeightsStream, r => weights = TorchWeights.Read(r, RecurrentSequenceModel.StateShapes(architecture, task.Outputs), source)))
            throw new InvalidDataException($"{Component}: the model zip has no weights ({WeightsStream}).");

        var model = new RecurrentSequenceModel(architecture, task.Outputs); // every parameter is overwritten by the saved weights
        try
        {
            weights!.CopyInto(model, source);
            return new RecurrentPredictionTransformer(env, task, feature, maximumLength, model, CPU, Array.Empty<TrainingProgress>());
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // Factory method for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).CreateRowMapper(inputSchema);
}
