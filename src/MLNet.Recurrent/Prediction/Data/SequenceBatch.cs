using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// One padded batch of token sequences: <see cref="Tokens"/> [B, T] int64 on the training device (padded with 0 to
/// the batch's longest row), <see cref="Lengths"/> [B] int64 on the CPU (as packing requires), optional
/// per-row <see cref="Targets"/> and <see cref="Weights"/>, and the source row of each batch row.
/// </summary>
internal sealed class SequenceBatch : IDisposable
{
    public SequenceBatch(Tensor tokens, Tensor lengths, Tensor? targets, Tensor? weights, int[] rows, long tokenCount)
    {
        Tokens = tokens;
        Lengths = lengths;
        Targets = targets;
        Weights = weights;
        Rows = rows;
        TokenCount = tokenCount;
    }

    public Tensor Tokens { get; }

    public Tensor Lengths { get; }

    public Tensor? Targets { get; }

    public Tensor? Weights { get; }

    /// <summary>Index (in the batcher's row order) of each batch row.</summary>
    public int[] Rows { get; }

    /// <summary>Number of real (unpadded) tokens in the batch.</summary>
    public long TokenCount { get; }

    public int Count => Rows.Length;

    public void Dispose()
    {
        Tokens.Dispose();
        Lengths.Dispose();
        Targets?.Dispose();
        Weights?.Dispose();
    }
}
