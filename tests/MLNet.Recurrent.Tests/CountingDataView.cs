using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

/// <summary>Wraps an IDataView and records how many cursors were opened and on which columns.</summary>
internal sealed class CountingDataView(IDataView inner) : IDataView
{
    public int CursorCount { get; private set; }

    public string[] LastActiveColumns { get; private set; } = [];

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        Record(columnsNeeded);
        return inner.GetRowCursor(columnsNeeded, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        Record(columnsNeeded);
        return inner.GetRowCursorSet(columnsNeeded, n, rand);
    }

    private void Record(IEnumerable<DataViewSchema.Column> columns)
    {
        CursorCount++;
        LastActiveColumns = columns.Select(c => c.Name).ToArray();
    }
}
