using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Examples;

/// <summary>Training (time-budgeted, random positions) and held-out evaluation of an <see cref="NGramModel"/>.</summary>
public static class NGramBaseline
{
    /// <summary>Every predicted position of <paramref name="rows"/> (all but the first of each row), as (row, index).</summary>
    private static (int Row, int Index)[] Positions(IReadOnlyList<int[]> rows) =>
        rows.SelectMany((r, i) => Enumerable.Range(1, Math.Max(0, r.Length - 1)).Select(t => (i, t))).ToArray();

    private static (Tensor Inputs, Tensor Targets) Batch(NGramModel model, IReadOnlyList<int[]> rows, ReadOnlySpan<(int Row, int Index)> positions)
    {
        long[] targets = new long[positions.Length];
        for (int b = 0; b < positions.Length; b++)
            targets[b] = rows[positions[b].Row][positions[b].Index];
        return (model.Inputs(rows, positions), tensor(targets));
    }

    /// <summary>
    /// Trains <paramref name="model"/> on random positions of <paramref name="rows"/> (batches of 512, reshuffled every
    /// epoch) until the budget or the epochs run out, or until <paramref name="afterEpoch"/> (called with the epoch number
    /// after each full epoch) returns false. <paramref name="progress"/> gets, about once a second, the fraction done and a
    /// status line (epoch, characters seen, running training bits/char, characters per second). Returns the characters seen.
    /// </summary>
    public static long Train(NGramModel model, IReadOnlyList<int[]> rows, TimeSpan budget, int maxEpochs, int seed, Action<double, string>? progress = null, Func<int, bool>? afterEpoch = null)
    {
        (int, int)[] positions = Positions(rows);
        var rng = new Random(seed);
        const int batchSize = 512;
        var clock = Stopwatch.StartNew();
        long seen = 0;
        TimeSpan lastReport = TimeSpan.Zero;
        double lossSum = 0;
        int lossCount = 0;
        model.train();
        for (int epoch = 1; epoch <= maxEpochs && clock.Elapsed < budget; epoch++)
        {
            rng.Shuffle(positions);
            for (int start = 0; start < positions.Length && clock.Elapsed < budget; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var (contexts, targets) = Batch(model, rows, positions.AsSpan(start, Math.Min(batchSize, positions.Length - start)));
                Tensor loss = nn.functional.cross_entropy(model.call(contexts), targets);
                model.Update(loss);
                lossSum += loss.item<float>();
                lossCount++;
                seen += targets.shape[0];
                if (progress is not null && clock.Elapsed - lastReport > TimeSpan.FromSeconds(1))
                {
                    lastReport = clock.Elapsed;
                    double done = Math.Max(clock.Elapsed / budget, (epoch - 1 + (double)start / positions.Length) / maxEpochs);
                    progress(done, $"epoch {epoch}: {seen:N0} characters, training {lossSum / lossCount / Math.Log(2):F3} bits/char, {seen / clock.Elapsed.TotalSeconds:N0} chars/s");
                }
            }
            lossSum = 0;
            lossCount = 0;
            if (afterEpoch is not null && clock.Elapsed < budget)
            {
                model.eval();
                bool go = afterEpoch(epoch);
                model.train();
                if (!go)
                    break;
            }
        }
        model.eval();
        return seen;
    }

    /// <summary>Summed natural-log likelihood and number of predicted characters on <paramref name="rows"/>.</summary>
    public static (double LogLikelihood, long Count) Evaluate(NGramModel model, IReadOnlyList<int[]> rows)
    {
        (int, int)[] positions = Positions(rows);
        double sum = 0;
        using var noGrad = no_grad();
        for (int start = 0; start < positions.Length; start += 4096)
        {
            using var scope = NewDisposeScope();
            var (contexts, targets) = Batch(model, rows, positions.AsSpan(start, Math.Min(4096, positions.Length - start)));
            Tensor logp = nn.functional.log_softmax(model.call(contexts), 1).gather(1, targets.unsqueeze(1));
            sum += logp.to(ScalarType.Float64).sum().item<double>();
        }
        return (sum, positions.Length);
    }
}
