using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// <see cref="LanguageModelCorpus.Continuous"/>: the classic "batchify". The token stream is cut into <c>B</c> equal
/// contiguous streams (the remainder is dropped), laid side by side, and read in consecutive windows of
/// <c>sequenceLength</c> positions; batch <c>k + 1</c> continues batch <c>k</c>, so the objective carries the state
/// (per stream: data-parallel training cuts every batch into the same parts of consecutive streams).
/// When shuffling, every epoch starts with a shorter first window of seeded length, so window boundaries move; every
/// epoch reads exactly <see cref="BatchesPerEpoch"/> windows (the learning-rate schedule counts on it), so a shifted
/// epoch that would need one more window leaves out the last few positions of each stream (fewer than
/// <c>sequenceLength</c>; other epochs read them).
/// </summary>
internal sealed class ContinuousStreamBatcher : ISplittableBatchSource<LanguageModelBatch>
{
    private readonly int[] stream;
    private readonly int streams;
    private readonly int streamLength;
    private readonly int sequenceLength;
    private readonly int seed;
    private readonly Device device;

    public ContinuousStreamBatcher(int[] tokens, int batchSize, int sequenceLength, int seed, Device device)
    {
        stream = tokens;
        // Every stream needs at least 2 tokens to predict anything.
        streams = Math.Max(1, Math.Min(batchSize, tokens.Length / 2));
        streamLength = tokens.Length / streams;
        this.sequenceLength = sequenceLength;
        this.seed = seed;
        this.device = device;
    }

    /// <summary>Parallel streams (the batch size, fewer for a very short text).</summary>
    public int Streams => streams;

    /// <summary>Positions with a prediction per stream.</summary>
    public int PredictedPerStream => Math.Max(0, streamLength - 1);

    public int RowCount => PredictedPerStream == 0 ? 0 : streams * BatchesPerEpoch;

    public int BatchesPerEpoch => (PredictedPerStream + sequenceLength - 1) / sequenceLength;

    /// <inheritdoc />
    public LanguageModelBatch[] Split(LanguageModelBatch batch, int parts) => batch.Split(parts);

    public IEnumerable<LanguageModelBatch> Batches(int epoch, bool shuffle)
    {
        int total = PredictedPerStream;
        int first = shuffle && sequenceLength > 1 ? new Random(unchecked(seed * 7919 + epoch)).Next(1, sequenceLength + 1) : sequenceLength;
        int position = 0;
        bool carries = false;
        for (int batch = 0; batch < BatchesPerEpoch && position < total; batch++)
        {
            int length = Math.Min(position == 0 ? first : sequenceLength, total - position);
            yield return MakeBatch(position, length, carries);
            position += length;
            carries = true;
        }
    }

    /// <summary>The window of positions <c>[start, start + length)</c> of every stream.</summary>
    internal LanguageModelBatch MakeBatch(int start, int length, bool carriesState)
    {
        long[] inputs = new long[streams * length];
        long[] targets = new long[streams * length];
        for (int b = 0; b < streams; b++)
        {
            ReadOnlySpan<int> s = stream.AsSpan(b * streamLength + start, length + 1);
            for (int t = 0; t < length; t++)
            {
                inputs[b * length + t] = s[t];
                targets[b * length + t] = s[t + 1];
            }
        }
        return LanguageModelBatch.Create(inputs, targets, streams, length, (long)streams * length, carriesState, device);
    }
}
