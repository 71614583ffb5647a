namespace MLNet.Recurrent;

/// <summary>
/// Picks the next token from a logits vector in managed code (cheap for the vocabularies of recurrent models and
/// bit-reproducible for a seed): temperature, then top-k, then top-p, then a draw; id 0 (<c>&lt;pad&gt;</c>) is excluded.
/// </summary>
internal sealed class TokenSampler
{
    private readonly GenerationOptions options;
    private readonly Random random;
    private double[] probabilities = Array.Empty<double>();
    private int[] order = Array.Empty<int>();

    public TokenSampler(GenerationOptions options)
    {
        this.options = options;
        random = new Random(options.Seed ?? Random.Shared.Next());
    }

    public int Next(ReadOnlySpan<float> logits)
    {
        int v = logits.Length;
        if (v < 2)
            throw new InvalidOperationException("The vocabulary has no token other than <pad> to generate.");
        if (options.Temperature == 0)
            return ArgMax(logits);

        if (probabilities.Length != v)
        {
            probabilities = new double[v];
            order = new int[v];
        }
        double max = double.NegativeInfinity;
        for (int i = 1; i < v; i++)
            max = Math.Max(max, logits[i] / options.Temperature);
        if (double.IsNegativeInfinity(max) || double.IsNaN(max))
            return ArgMax(logits);
        double sum = 0;
        probabilities[0] = 0;
        for (int i = 1; i < v; i++)
        {
            double p = Math.Exp(logits[i] / options.Temperature - max);
            probabilities[i] = double.IsNaN(p) ? 0 : p;
            sum += probabilities[i];
        }

        bool topK = options.TopK > 0 && options.TopK < v - 1, topP = options.TopP < 1;
        if (topK || topP)
        {
            for (int i = 0; i < v; i++)
                order[i] = i;
            double[] p = probabilities;
            Array.Sort(order, (a, b) => p[b].CompareTo(p[a]) is var c && c != 0 ? c : a.CompareTo(b));
            int keep = topK ? options.TopK : v;
            if (topP)
            {
                double kept = 0;
                for (int k = 0; k < keep; k++)
                    kept += p[order[k]];
                double cumulative = 0, target = options.TopP * kept;
                for (int k = 0; k < keep; k++)
                {
                    cumulative += p[order[k]];
                    if (cumulative >= target)
                    {
                        keep = k + 1;
                        break;
                    }
                }
            }
            sum = 0;
            for (int k = 0; k < v; k++)
            {
                if (k >= keep)
                    p[order[k]] = 0;
                else
                    sum += p[order[k]];
            }
        }

        double u = random.NextDouble() * sum;
        int last = 1;
        for (int i = 1; i < v; i++)
        {
            if (probabilities[i] <= 0)
                continue;
            last = i;
            u -= probabilities[i];
            if (u < 0)
                return i;
        }
        return last;
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 1;
        for (int i = 2; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
                best = i;
        }
        return best;
    }
}
