using Microsoft.ML;

namespace MLNet.Recurrent.Examples;

/// <summary>How much recurrent compute padding costs: the steps a batch runs per real token under different batchings.</summary>
public static class PaddingCost
{
    /// <summary>The lengths of the token-id vectors in the column "Tokens".</summary>
    public static int[] Lengths(MLContext ml, IDataView tokenized) =>
        ml.Data.CreateEnumerable<TokenRow>(tokenized, reuseRowObject: true).Select(t => t.Tokens.Length).ToArray();

    private sealed class TokenRow
    {
        public int[] Tokens { get; set; } = [];
    }

    /// <summary>
    /// Recurrent steps run per real token when rows are cut into batches of <paramref name="batchSize"/> and every
    /// batch is padded to its longest row: in random order (<paramref name="bucketed"/> false), or sorted by length
    /// within windows of 50 batches as <see cref="RecurrentTrainerOptions.BucketByLength"/> does. A packed sequence
    /// runs exactly the real tokens (1.0).
    /// </summary>
    public static double StepsPerToken(IReadOnlyList<int> lengths, int batchSize, bool bucketed, int seed)
    {
        int[] order = Enumerable.Range(0, lengths.Count).ToArray();
        new Random(seed).Shuffle(order);
        if (bucketed)
        {
            int window = batchSize * 50;
            for (int start = 0; start < order.Length; start += window)
                Array.Sort(order, start, Math.Min(window, order.Length - start), Comparer<int>.Create((a, b) => lengths[a].CompareTo(lengths[b])));
        }
        long padded = 0, real = 0;
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var batch = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            padded += (long)batch.Length * batch.Max(i => lengths[i]);
            real += batch.Sum(i => (long)lengths[i]);
        }
        return (double)padded / Math.Max(1, real);
    }
}
