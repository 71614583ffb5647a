namespace MLNet.Recurrent;

/// <summary>How batch sources group rows of similar length: after the per-epoch shuffle, windows of this many batches' rows are sorted by length and cut into batches.</summary>
internal static class LengthBucketing
{
    /// <summary>Batches per sorted window: large enough that neighbours are close in length, small enough that the order stays random.</summary>
    public const int WindowBatches = 50;

    /// <summary>Rows per sorting window for batches of <paramref name="batchSize"/> (no overflow for any batch size).</summary>
    public static int Window(int batchSize) => (int)Math.Min(int.MaxValue, (long)batchSize * WindowBatches);
}
