using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.Recurrent;

/// <summary>
/// What <see cref="RecurrentPredictionTransformer.Transform"/> returns: the batched scoring view, made a data transform
/// that ML.NET's ONNX converter (<c>mlContext.Model.ConvertToOnnx</c>) can walk through and export.
/// </summary>
/// <remarks>
/// ML.NET's converter applies the model to the input data, then walks back from the last data view through
/// <c>IDataTransform.Source</c> for as long as each view is an <see cref="ITransformCanSaveOnnx"/>; whatever it cannot walk
/// through becomes graph inputs (which is how a non-exportable scorer used to turn its own outputs into inputs silently).
/// This view is both, and exports the network with <see cref="SequenceModelOnnx"/> and the task's outputs as ML.NET's own
/// trainers export theirs.
/// </remarks>
internal sealed class OnnxScoringDataView : ITransformCanSaveOnnx
{
    private readonly RecurrentPredictionTransformer parent;
    private readonly IDataView scoring;

    public OnnxScoringDataView(RecurrentPredictionTransformer parent, IDataView source, IDataView scoring)
    {
        this.parent = parent;
        Source = source;
        this.scoring = scoring;
    }

    public IDataView Source { get; }

    public DataViewSchema Schema => scoring.Schema;

    public bool CanShuffle => scoring.CanShuffle;

    public long? GetRowCount() => scoring.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        scoring.GetRowCursor(columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        scoring.GetRowCursorSet(columnsNeeded, n, rand);

    void ICanSaveModel.Save(ModelSaveContext ctx) => parent.Save(ctx);

    public bool CanSaveOnnx(OnnxContext ctx) => true;

    public void SaveAsOnnx(OnnxContext ctx) => RecurrentPredictionOnnx.Save(ctx, parent, Source.Schema);
}

/// <summary>Exports a <see cref="RecurrentPredictionTransformer"/>: token ids in, the task's output columns out.</summary>
internal static class RecurrentPredictionOnnx
{
    public static void Save(OnnxContext ctx, RecurrentPredictionTransformer transformer, DataViewSchema inputSchema)
    {
        using var use = transformer.Use();
        string feature = transformer.FeatureColumnName;
        if (!ctx.ContainsColumn(feature))
            throw new InvalidOperationException(
                $"Cannot export the recurrent model to ONNX: its token-id column '{feature}' is not available in the ONNX graph " +
                "(the component that produces it could not be exported).");
        var g = new OnnxGraph(ctx, "Recurrent");
        string ids = g.Cast(ctx.GetVariableName(feature), typeof(long));
        var (sanitized, lengths) = TokenIdsOnnx.Sanitize(g, ids, transformer.EncoderOptions.VocabularySize, transformer.MaximumSequenceLength);
        string raw = SequenceModelOnnx.SequenceModel(g, use.Module, sanitized, lengths);

        DataViewSchema.DetachedColumn[] columns = transformer.PredictionTask.OutputColumns(inputSchema);
        switch (transformer.Task)
        {
            case RecurrentTask.BinaryClassification:
                // Score = logit, Probability = sigmoid, PredictedLabel = logit > 0 (ML.NET's Binarizer at threshold 0).
                g.NodeWith("Identity", new[] { raw }, null, output: g.DeclareColumn(columns[0].Type, columns[0].Name));
                g.NodeWith("Sigmoid", new[] { raw }, null, output: g.DeclareColumn(columns[1].Type, columns[1].Name));
                g.NodeWith("Greater", new[] { raw, g.FloatScalar(0) }, null, output: g.DeclareColumn(columns[2].Type, columns[2].Name));
                break;
            case RecurrentTask.MulticlassClassification:
                // Score = softmax over classes; PredictedLabel = the key (argmax + 1) as uint32, as ML.NET's multiclass scorers export it.
                g.NodeWith("Softmax", new[] { raw }, n => n.AddAttribute("axis", 1L), output: g.DeclareColumn(columns[0].Type, columns[0].Name));
                string best = g.NodeWith("ArgMax", new[] { raw }, n => { n.AddAttribute("axis", 1L); n.AddAttribute("keepdims", 1L); });
                string key = g.Add(best, g.Int64Scalar(1));
                g.NodeWith("Cast", new[] { key }, n => n.AddAttribute("to", typeof(uint)), output: g.DeclareColumn(columns[1].Type, columns[1].Name));
                break;
            case RecurrentTask.Regression:
                g.NodeWith("Identity", new[] { raw }, null, output: g.DeclareColumn(columns[0].Type, columns[0].Name));
                break;
            default:
                throw new InvalidOperationException($"Unknown task {transformer.Task}.");
        }
    }
}
