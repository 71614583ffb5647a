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
    private float[] ranked = Array.Empty<float>();

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
        // Greedy: temperature 0, or top-k with k = 1 (the most likely token, whatever the temperature: dividing the logits
        // by a huge temperature makes their probabilities equal in double precision, which must not turn the choice
        // into the lowest id).
        if (options.Temperature == 0 || options.TopK == 1)
            return ArgMax(logits);

        if (probabilities.Length != v)
        {
            probabilities = new double[v];
            order = new int[v];
            ranked = new float[v];
        }
        double max = double.NegativeInfinity;
        for (int i = 1; i < v; i++)
            max = Math.Max(max, logits[i] / options.Temperature);
        if (!double.IsFinite(max))
            return ArgMax(logits); // no finite logit, or a temperature so small that a logit overflows: as greedy
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
            // Ranked by logit (temperature does not change the order, and logits do not tie where probabilities
            // rounded to equal values do), then by id; <pad> last.
            float[] r = ranked;
            logits.CopyTo(r);
            Array.Sort(order, (a, b) =>
            {
                if (a == 0 || b == 0)
                    return (a == 0 ? 1 : 0) - (b == 0 ? 1 : 0);
                int byLogit = r[b].CompareTo(r[a]);
                return byLogit != 0 ? byLogit : a.CompareTo(b);
            });
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

        if (!(sum > 0) || double.IsInfinity(sum))
            return ArgMax(logits);
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
