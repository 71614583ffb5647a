namespace MLNet.Recurrent;

/// <summary>Produces the batches of one epoch. Implementations own the tensors they create until the batch is disposed.</summary>
internal interface IBatchSource<out TBatch> where TBatch : IDisposable
{
    /// <summary>Rows (or windows) per epoch.</summary>
    int RowCount { get; }

    /// <summary>Batches per epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/>; shuffled (seeded by the epoch) when <paramref name="shuffle"/>.</summary>
    IEnumerable<TBatch> Batches(int epoch, bool shuffle);
}
