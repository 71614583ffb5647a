using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// <see cref="LanguageModelCorpus.IndependentRows"/>: every row (at least 2 tokens) is cut into windows of at most
/// <c>sequenceLength + 1</c> tokens that overlap by one token; windows are shuffled every epoch, grouped with windows
/// of similar length, right-padded, and each starts from the initial state.
/// </summary>
internal sealed class IndependentRowsBatcher : ISplittableBatchSource<LanguageModelBatch>
{
    private readonly List<(int Row, int Start, int Length)> windows = new();
    private readonly IReadOnlyList<int[]> rows;
    private readonly int batchSize;
    private readonly int seed;
    private readonly Device device;

    public IndependentRowsBatcher(IReadOnlyList<int[]> rows, int sequenceLength, int batchSize, int seed, Device device)
    {
        this.rows = rows;
        this.batchSize = batchSize;
        this.seed = seed;
        this.device = device;
        for (int r = 0; r < rows.Count; r++)
        {
            int n = rows[r].Length;
            for (int start = 0; start < n - 1; start += sequenceLength)
                windows.Add((r, start, Math.Min(sequenceLength + 1, n - start)));
        }
    }

    public int RowCount => windows.Count;

    public int BatchesPerEpoch => (windows.Count + batchSize - 1) / batchSize;

    /// <inheritdoc />
    public LanguageModelBatch[] Split(LanguageModelBatch batch, int parts) => batch.Split(parts);

    public IEnumerable<LanguageModelBatch> Batches(int epoch, bool shuffle)
    {
        int n = windows.Count;
        int[] order = Enumerable.Range(0, n).ToArray();
        var rng = new Random(unchecked(seed * 7919 + epoch));
        if (shuffle)
            rng.Shuffle(order);
        // Sort by length inside windows of 50 batches: little padding, still random batches.
        int bucket = LengthBucketing.Window(batchSize);
        for (int start = 0; start < n; start = (int)Math.Min(n, (long)start + bucket))
        {
            int len = Math.Min(bucket, n - start);
            int[] sorted = order.AsSpan(start, len).ToArray().OrderBy(i => windows[i].Length).ToArray();
            sorted.CopyTo(order, start);
        }
        var plan = new List<int[]>(BatchesPerEpoch);
        for (int start = 0; start < n; start += batchSize)
            plan.Add(order.AsSpan(start, Math.Min(batchSize, n - start)).ToArray());
        if (shuffle)
            rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(plan));
        foreach (int[] members in plan)
            yield return MakeBatch(members);
    }

    private LanguageModelBatch MakeBatch(int[] members)
    {
        int width = members.Max(i => windows[i].Length) - 1;
        long[] inputs = new long[members.Length * width];
        long[] targets = new long[members.Length * width];
        long count = 0;
        for (int b = 0; b < members.Length; b++)
        {
            var (row, start, length) = windows[members[b]];
            ReadOnlySpan<int> ids = rows[row].AsSpan(start, length);
            for (int t = 0; t < length - 1; t++)
            {
                inputs[b * width + t] = ids[t];
                targets[b * width + t] = ids[t + 1];
            }
            count += length - 1;
        }
        return LanguageModelBatch.Create(inputs, targets, members.Length, width, count, carriesState: false, device);
    }
}
