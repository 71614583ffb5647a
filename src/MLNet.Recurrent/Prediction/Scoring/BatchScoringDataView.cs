using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Recurrent;

/// <summary>
/// The output of <see cref="RecurrentPredictionTransformer.Transform"/>: the input columns plus the task's output
/// columns, scored in batches. Its cursor moves a second, look-ahead cursor over the token column in lockstep with the
/// main one, reads the next block of rows' token ids, scores them in one batched pass, then serves them row by row.
/// </summary>
internal sealed class BatchScoringDataView : IDataView
{
    private readonly IHost host;
    private readonly RecurrentPredictionTransformer parent;
    private readonly IDataView source;
    private readonly TokenIdColumn tokens;
    private readonly ColumnBindings bindings;

    public BatchScoringDataView(IHost host, RecurrentPredictionTransformer parent, IDataView source)
    {
        this.host = host;
        this.parent = parent;
        this.source = source;
        tokens = TokenIdColumn.Find(source.Schema, parent.FeatureColumnName, nameof(source));
        bindings = new ColumnBindings(source.Schema, parent.PredictionTask.OutputColumns(source.Schema));
    }

    public DataViewSchema Schema => bindings.Schema;

    /// <summary>False: the look-ahead cursor must see the rows in the same order as the main one.</summary>
    public bool CanShuffle => false;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        host.CheckValue(columnsNeeded, nameof(columnsNeeded));
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
            active[column.Index] = true;
        bool scoring = bindings.AddedColumnIndices.Any(i => active[i]);
        bool[] inputActive = bindings.GetActiveInput(c => active[c]);
        DataViewRowCursor main = source.GetRowCursor(source.Schema.Where(c => inputActive[c.Index]));
        DataViewRowCursor? lookahead = null;
        try
        {
            if (scoring)
            {
                parent.ThrowIfDisposed();
                lookahead = source.GetRowCursor(new[] { tokens.Column });
            }
            return new Cursor(this, main, lookahead, active);
        }
        catch
        {
            main.Dispose();
            lookahead?.Dispose();
            throw;
        }
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor, IRawOutputs
    {
        private const int FirstBlockRows = 64;
        private const int MaxBlockRows = 1024;

        private readonly BatchScoringDataView view;
        private readonly DataViewRowCursor main;
        private readonly DataViewRowCursor? lookahead;
        private readonly TokenIdReader? reader;
        private readonly bool[] active;
        private readonly Delegate?[] outputGetters;
        private readonly int outputs;
        private readonly int vocabularySize;
        private int[][] blockIds = Array.Empty<int[]>();
        private float[] blockOutputs = Array.Empty<float>();
        private int blockRows;
        private int blockIndex = -1;
        private int nextBlockRows = FirstBlockRows;

        public Cursor(BatchScoringDataView view, DataViewRowCursor main, DataViewRowCursor? lookahead, bool[] active)
        {
            this.view = view;
            this.main = main;
            this.lookahead = lookahead;
            this.active = active;
            outputs = view.parent.NumberOfOutputs;
            vocabularySize = view.parent.EncoderOptions.VocabularySize;
            outputGetters = new Delegate?[view.bindings.AddedColumnIndices.Count];
            if (lookahead is not null)
            {
                reader = view.tokens.CreateReader(lookahead);
                for (int i = 0; i < outputGetters.Length; i++)
                    if (active[view.bindings.AddedColumnIndices[i]])
                        outputGetters[i] = view.parent.PredictionTask.MakeGetter(i, this);
            }
        }

        public override DataViewSchema Schema => view.Schema;

        public override long Position => main.Position;

        public override long Batch => main.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => main.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; request it when creating the cursor.");
            int index = view.bindings.MapColumnIndex(out bool isSource, column.Index);
            if (isSource)
                return main.GetGetter<TValue>(main.Schema[index]);
            return outputGetters[index] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
        }

        public override bool MoveNext()
        {
            if (!main.MoveNext())
                return false;
            if (lookahead is not null && ++blockIndex >= blockRows)
                ScoreNextBlock();
            return true;
        }

        public ReadOnlySpan<float> Current() => blockOutputs.AsSpan(blockIndex * outputs, outputs);

        private void ScoreNextBlock()
        {
            view.parent.ThrowIfDisposed();
            int capacity = nextBlockRows;
            nextBlockRows = Math.Min(MaxBlockRows, nextBlockRows * 2);
            if (blockIds.Length < capacity)
            {
                blockIds = new int[capacity][];
                blockOutputs = new float[capacity * outputs];
            }
            int maximumLength = view.parent.MaximumSequenceLength;
            blockRows = 0;
            while (blockRows < capacity && lookahead!.MoveNext())
                blockIds[blockRows++] = reader!.Read(vocabularySize, maximumLength).ToArray();
            if (blockRows == 0)
                throw new InvalidOperationException("The input data returned fewer rows on a second cursor than on the first; recurrent scoring needs a data view that returns the same rows on every cursor.");
            using (view.parent.Use())
                view.parent.Scorer.Score(blockIds, blockRows, blockOutputs);
            blockIndex = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                main.Dispose();
                lookahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
