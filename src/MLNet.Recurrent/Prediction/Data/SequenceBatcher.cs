using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Turns in-memory token-id sequences into <see cref="SequenceBatch"/>es: seeded shuffling every epoch, length
/// bucketing (rows of similar length share a batch, so padding is small), padding to each batch's longest row.
/// The encoder then packs each batch, so no compute is spent on padding.
/// </summary>
internal sealed class SequenceBatcher : ISplittableBatchSource<SequenceBatch>
{

    private readonly IReadOnlyList<int[]> sequences;
    private readonly float[]? targets;
    private readonly float[]? weights;
    private readonly int batchSize;
    private readonly bool bucketByLength;
    private readonly int seed;
    private readonly Device device;

    public SequenceBatcher(IReadOnlyList<int[]> sequences, float[]? targets, float[]? weights, int batchSize, bool bucketByLength, int seed, Device device)
    {
        this.sequences = sequences;
        this.targets = targets;
        this.weights = weights;
        this.batchSize = batchSize;
        this.bucketByLength = bucketByLength;
        this.seed = seed;
        this.device = device;
    }

    public int RowCount => sequences.Count;

    public int BatchesPerEpoch => (int)(((long)sequences.Count + batchSize - 1) / batchSize);

    /// <inheritdoc />
    public IEnumerable<SequenceBatch> Batches(int epoch, bool shuffle)
    {
        foreach (int[] rows in Plan(epoch, shuffle))
            yield return MakeBatch(rows);
    }

    /// <summary>The row indices of every batch of an epoch, in order.</summary>
    internal List<int[]> Plan(int epoch, bool shuffle)
    {
        int n = sequences.Count;
        int[] order = Enumerable.Range(0, n).ToArray();
        var rng = new Random(unchecked(seed * 7919 + epoch));
        if (shuffle)
            rng.Shuffle(order);

        if (bucketByLength)
        {
            int window = LengthBucketing.Window(batchSize);
            for (int start = 0; start < n; start = (int)Math.Min(n, (long)start + window))
            {
                int len = Math.Min(window, n - start);
                // Stable sort by length inside the window keeps the order deterministic.
                int[] chunk = order.AsSpan(start, len).ToArray();
                int[] sorted = chunk.OrderBy(i => sequences[i].Length).ToArray();
                sorted.CopyTo(order, start);
            }
        }

        var plan = new List<int[]>(BatchesPerEpoch);
        for (int start = 0; start < n; start += batchSize)
            plan.Add(order.AsSpan(start, Math.Min(batchSize, n - start)).ToArray());
        if (shuffle && bucketByLength)
            rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(plan));
        return plan;
    }

    /// <inheritdoc />
    public SequenceBatch[] Split(SequenceBatch batch, int parts)
    {
        int n = Math.Min(parts, batch.Count / ISplittableBatchSource<SequenceBatch>.MinimumRowsPerPart);
        if (n < 2)
            return Array.Empty<SequenceBatch>();
        // Rows dealt round-robin by length, longest first: every part gets rows of every length, so the parts pad
        // little and take about the same time.
        int[] byLength = batch.Rows.OrderByDescending(r => sequences[r].Length).ToArray();
        var result = new SequenceBatch[n];
        for (int k = 0; k < n; k++)
            result[k] = MakeBatch(byLength.Where((_, i) => i % n == k).ToArray());
        return result;
    }

    internal SequenceBatch MakeBatch(int[] rows)
    {
        int b = rows.Length;
        int width = 1;
        long tokenCount = 0;
        foreach (int r in rows)
        {
            width = Math.Max(width, sequences[r].Length);
            tokenCount += sequences[r].Length;
        }

        long[] ids = new long[checked((long)b * width)];
        long[] lengths = new long[b];
        for (int i = 0; i < b; i++)
        {
            int[] s = sequences[rows[i]];
            lengths[i] = s.Length;
            Span<long> dst = ids.AsSpan(i * width, s.Length);
            for (int t = 0; t < s.Length; t++)
                dst[t] = s[t];
        }

        Tensor tokens = tensor(ids, new long[] { b, width }, ScalarType.Int64);
        if (device.type != DeviceType.CPU)
        {
            Tensor moved = tokens.to(device);
            tokens.Dispose();
            tokens = moved;
        }
        Tensor? y = targets is null ? null : Gather(targets, rows);
        Tensor? w = weights is null ? null : Gather(weights, rows);
        return new SequenceBatch(tokens, tensor(lengths, ScalarType.Int64), y, w, rows, tokenCount);
    }

    private Tensor Gather(float[] source, int[] rows)
    {
        float[] values = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
            values[i] = source[rows[i]];
        Tensor t = tensor(values, ScalarType.Float32);
        if (device.type == DeviceType.CPU)
            return t;
        Tensor moved = t.to(device);
        t.Dispose();
        return moved;
    }
}
