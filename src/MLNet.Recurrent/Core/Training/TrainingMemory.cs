namespace MLNet.Recurrent;

/// <summary>
/// A bound on the memory one training batch may need, checked before training starts: autograd keeps every step's
/// activations of a batch until its backward pass, so a batch of <c>rows × longest row</c> positions needs memory in
/// proportion, and one very long row (with the sequence limit lifted) would otherwise grow a training process until the
/// machine runs out of memory. The estimate counts, per padded position, the embedding and, per recurrent layer and
/// direction, the gates and the states libtorch keeps for the backward pass, plus what the caller adds (a language
/// model's logits); it is a rough figure, but in proportion to the real one.
/// </summary>
internal static class TrainingMemory
{
    /// <summary>Most bytes of activations one training batch may need: 8 GiB.</summary>
    public const long MaximumBatchBytes = 8L << 30;

    /// <summary>Floats kept per padded position for the backward pass (estimate).</summary>
    public static long FloatsPerPosition(RecurrentCell cell, long embeddingSize, long hiddenSize, int layers, int directions, long extra = 0)
    {
        long gates = cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };
        return embeddingSize + (long)layers * directions * (gates + 3) * hiddenSize + extra;
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> when a batch of <paramref name="rows"/> × <paramref name="positions"/>
    /// would need more than <see cref="MaximumBatchBytes"/>; <paramref name="what"/> describes the batch and
    /// <paramref name="advice"/> what to change.
    /// </summary>
    public static void Check(long rows, long positions, long floatsPerPosition, string what, string advice)
    {
        double bytes = (double)rows * positions * floatsPerPosition * sizeof(float);
        if (bytes > MaximumBatchBytes)
            throw new InvalidOperationException(
                $"{what}: a training batch of {rows:N0} rows × {positions:N0} positions would keep about {bytes / (1L << 30):N1} GiB of activations for the backward pass, more than the {MaximumBatchBytes >> 30} GiB a batch may use; {advice}.");
    }
}
