using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace MLNet.Recurrent;

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
