using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace MLNet.Recurrent;

/// <summary>
/// The one-step generation model of a <see cref="LanguageModelTransformer"/>, for export to ONNX: one token id and the
/// recurrent state in, the log-probabilities of the next token and the new state out, so text can be generated in ONNX
/// Runtime (sample from <c>LogProbabilities</c>, feed the sampled id and <c>NextHidden</c>/<c>NextCell</c> back).
/// </summary>
public static class LanguageModelStepModel
{
    /// <summary>Input column: the current token id (Int32, one per row).</summary>
    public const string TokenIdColumnName = "TokenId";

    /// <summary>Input column: every layer's hidden state, layer after layer (Single vector of layers × hidden size; zeros to start).</summary>
    public const string HiddenColumnName = "Hidden";

    /// <summary>Input column (LSTM only): every layer's cell state, layer after layer (zeros to start).</summary>
    public const string CellColumnName = "Cell";

    /// <summary>Output column: natural-log probabilities of the next token (Single vector of the vocabulary size).</summary>
    public const string LogProbabilitiesColumnName = "LogProbabilities";

    /// <summary>Output column: the hidden state after the token (same layout as <see cref="HiddenColumnName"/>).</summary>
    public const string NextHiddenColumnName = "NextHidden";

    /// <summary>Output column (LSTM only): the cell state after the token.</summary>
    public const string NextCellColumnName = "NextCell";

    /// <summary>
    /// The step model as a transformer and an (empty) input view with its input columns; pass both to
    /// <c>mlContext.Model.ConvertToOnnx(stepModel, inputs, stream)</c> (package Microsoft.ML.OnnxConverter). ONNX Runtime
    /// then takes <c>TokenId</c> int32 <c>[N, 1]</c>, <c>Hidden</c> (and <c>Cell</c> for an LSTM) float
    /// <c>[N, layers × hidden]</c> and returns <c>LogProbabilities.output</c> <c>[N, vocabulary]</c>,
    /// <c>NextHidden.output</c> (and <c>NextCell.output</c>). The step model only exports: it does not score in ML.NET
    /// (use the language model's <c>Generate</c> there).
    /// </summary>
    /// <param name="model">A trained language model.</param>
    public static (ITransformer StepModel, IDataView Inputs) ForOnnxExport(LanguageModelTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var step = new LanguageModelStepTransformer(model);
        return (step, new EmptyDataView(step.Host, step.InputSchema));
    }
}

/// <summary>The transformer side of <see cref="LanguageModelStepModel"/>: a schema and an exportable view.</summary>
internal sealed class LanguageModelStepTransformer : ITransformer
{
    private readonly LanguageModelTransformer model;

    public LanguageModelStepTransformer(LanguageModelTransformer model)
    {
        this.model = model;
        Host = ((IHostEnvironment)new MLContext()).Register("LanguageModelStep");
        LanguageModelArchitecture a = model.Model.Architecture;
        StateSize = a.NumberOfLayers * a.HiddenSize;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(LanguageModelStepModel.TokenIdColumnName, NumberDataViewType.Int32);
        builder.AddColumn(LanguageModelStepModel.HiddenColumnName, new VectorDataViewType(NumberDataViewType.Single, StateSize));
        if (a.Cell == RecurrentCell.Lstm)
            builder.AddColumn(LanguageModelStepModel.CellColumnName, new VectorDataViewType(NumberDataViewType.Single, StateSize));
        InputSchema = builder.ToSchema();
    }

    public IHost Host { get; }

    public DataViewSchema InputSchema { get; }

    public int StateSize { get; }

    public LanguageModelTransformer Model => model;

    public bool IsRowToRowMapper => false;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(LanguageModelStepModel.LogProbabilitiesColumnName, new VectorDataViewType(NumberDataViewType.Single, model.VocabularySize));
        builder.AddColumn(LanguageModelStepModel.NextHiddenColumnName, new VectorDataViewType(NumberDataViewType.Single, StateSize));
        if (model.Cell == RecurrentCell.Lstm)
            builder.AddColumn(LanguageModelStepModel.NextCellColumnName, new VectorDataViewType(NumberDataViewType.Single, StateSize));
        return builder.ToSchema();
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("The language model's step model only exports to ONNX; generate in ML.NET with LanguageModelTransformer.Generate.");

    public IDataView Transform(IDataView input) => new StepView(this, input);

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("The language model's step model only exports to ONNX; save the language model itself with mlContext.Model.Save.");

    /// <summary>Schema-only view that ML.NET's ONNX converter exports.</summary>
    private sealed class StepView : ITransformCanSaveOnnx
    {
        private readonly LanguageModelStepTransformer parent;

        public StepView(LanguageModelStepTransformer parent, IDataView source)
        {
            this.parent = parent;
            Source = source;
            Schema = parent.GetOutputSchema(source.Schema);
        }

        public IDataView Source { get; }

        public DataViewSchema Schema { get; }

        public bool CanShuffle => false;

        public long? GetRowCount() => Source.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            throw new NotSupportedException("The language model's step model only exports to ONNX; it does not score in ML.NET.");

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            throw new NotSupportedException("The language model's step model only exports to ONNX; it does not score in ML.NET.");

        void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)parent).Save(ctx);

        public bool CanSaveOnnx(OnnxContext ctx) => true;

        public void SaveAsOnnx(OnnxContext ctx) => LanguageModelOnnx.SaveStep(ctx, parent);
    }
}
