namespace MLNet.Recurrent;

/// <summary>How batch sources group rows of similar length: after the per-epoch shuffle, windows of this many batches' rows are sorted by length and cut into batches.</summary>
internal static class LengthBucketing
{
    /// <summary>Batches per sorted window: large enough that neighbours are close in length, small enough that the order stays random.</summary>
    public const int WindowBatches = 50;
}
