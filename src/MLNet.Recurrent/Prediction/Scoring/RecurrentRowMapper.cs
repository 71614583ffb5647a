using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// The row-at-a-time side of <see cref="RecurrentPredictionTransformer"/> (what <c>PredictionEngine</c> and
/// <c>GetRowToRowMapper</c> use): each set of getters scores its current row once, on first access, with the
/// single-row path, and caches the outputs by row position. Getter sets share only the (read-only) model.
/// </summary>
internal sealed class RecurrentRowMapper : IRowMapper
{
    private readonly RecurrentPredictionTransformer parent;
    private readonly TokenIdColumn tokens;
    private readonly DataViewSchema.DetachedColumn[] outputs;

    public RecurrentRowMapper(RecurrentPredictionTransformer parent, DataViewSchema inputSchema)
    {
        this.parent = parent;
        tokens = TokenIdColumn.Find(inputSchema, parent.FeatureColumnName);
        outputs = parent.PredictionTask.OutputColumns(inputSchema);
    }

    public DataViewSchema.DetachedColumn[] GetOutputColumns() => outputs;

    public Func<int, bool> GetDependencies(Func<int, bool> activeOutput)
    {
        bool any = Enumerable.Range(0, outputs.Length).Any(activeOutput);
        int index = tokens.Column.Index;
        return col => any && col == index;
    }

    public Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
    {
        parent.ThrowIfDisposed();
        disposer = null!;
        var getters = new Delegate[outputs.Length];
        if (!Enumerable.Range(0, outputs.Length).Any(activeOutput))
            return getters;
        var row = new RowOutputs(parent, tokens.CreateReader(input), input);
        for (int i = 0; i < outputs.Length; i++)
            if (activeOutput(i))
                getters[i] = parent.PredictionTask.MakeGetter(i, row);
        return getters;
    }

    public ITransformer GetTransformer() => parent;

    void ICanSaveModel.Save(ModelSaveContext ctx) => parent.Save(ctx);

    /// <summary>The outputs of the input row's current position, computed on first access.</summary>
    private sealed class RowOutputs : IRawOutputs
    {
        private readonly RecurrentPredictionTransformer parent;
        private readonly TokenIdReader reader;
        private readonly DataViewRow row;
        private readonly float[] values;
        private readonly int vocabularySize;
        private long position = long.MinValue;

        public RowOutputs(RecurrentPredictionTransformer parent, TokenIdReader reader, DataViewRow row)
        {
            this.parent = parent;
            this.reader = reader;
            this.row = row;
            values = new float[parent.NumberOfOutputs];
            vocabularySize = parent.EncoderOptions.VocabularySize;
        }

        public ReadOnlySpan<float> Current()
        {
            if (row.Position != position || position < 0)
            {
                using var use = parent.Use();
                parent.Scorer.ScoreOne(reader.Read(vocabularySize, parent.MaximumSequenceLength), values);
                position = row.Position;
            }
            return values;
        }
    }
}
