namespace MLNet.Recurrent;

/// <summary>
/// A batch source whose batches are independent rows, so a batch can be cut into smaller batches of its rows whose
/// (weighted) mean losses, weighted by each part's loss weight, make the whole batch's: what data-parallel training in
/// the <see cref="TrainingLoop{TBatch}"/> needs. Batches that carry state from batch to batch (a language model's
/// continuous streams) can implement it when the state is per row and the objective keeps each part's own (the parts of
/// every batch are the same rows).
/// </summary>
internal interface ISplittableBatchSource<TBatch> : IBatchSource<TBatch> where TBatch : IDisposable
{
    /// <summary>
    /// <paramref name="batch"/>'s rows as at most <paramref name="parts"/> new batches of about equal work, each at
    /// least <see cref="MinimumRowsPerPart"/> rows; fewer than 2 parts (an empty array) when the batch is too small to split.
    /// The caller disposes the parts.
    /// </summary>
    TBatch[] Split(TBatch batch, int parts);

    /// <summary>The fewest rows a part gets (smaller parts cost more in overhead than they save).</summary>
    public const int MinimumRowsPerPart = 8;
}
