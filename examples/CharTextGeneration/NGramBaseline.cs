using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CharTextGeneration;

/// <summary>
/// The teaching baseline: an MLP that predicts the next character from the previous <c>n</c> characters only (Bengio et
/// al. 2003 style: embed each character, concatenate, one tanh hidden layer, softmax over the characters). Defined here
/// with plain TorchSharp; it is not a library feature. Within a paragraph the context is left-padded with id 0.
/// </summary>
internal sealed class NGramMlp : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly Linear hidden;
    private readonly Linear output;
    private readonly int context;

    public NGramMlp(int vocabularySize, int context, int embeddingSize, int hiddenSize) : base(nameof(NGramMlp))
    {
        this.context = context;
        embedding = nn.Embedding(vocabularySize, embeddingSize);
        hidden = nn.Linear(context * embeddingSize, hiddenSize);
        output = nn.Linear(hiddenSize, vocabularySize);
        RegisterComponents();
    }

    /// <summary><c>[B, n]</c> context ids → <c>[B, V]</c> logits of the next character.</summary>
    public override Tensor forward(Tensor contexts)
    {
        Tensor x = embedding.call(contexts).reshape(contexts.shape[0], -1);
        return output.call(tanh(hidden.call(x)));
    }

    /// <summary>Characters of context.</summary>
    public int Context => context;
}

/// <summary>Training (time-budgeted, random positions, Adam) and held-out evaluation of the <see cref="NGramMlp"/>.</summary>
internal static class NGramBaseline
{
    /// <summary>Every predicted position of <paramref name="rows"/> (all but the first of each row), as (row, index).</summary>
    private static (int Row, int Index)[] Positions(IReadOnlyList<int[]> rows) =>
        rows.SelectMany((r, i) => Enumerable.Range(1, Math.Max(0, r.Length - 1)).Select(t => (i, t))).ToArray();

    private static (Tensor Contexts, Tensor Targets) Batch(IReadOnlyList<int[]> rows, ReadOnlySpan<(int Row, int Index)> positions, int n)
    {
        long[] contexts = new long[positions.Length * n];
        long[] targets = new long[positions.Length];
        for (int b = 0; b < positions.Length; b++)
        {
            var (row, index) = positions[b];
            int[] ids = rows[row];
            for (int k = 0; k < n; k++)
            {
                int source = index - n + k;
                contexts[b * n + k] = source >= 0 ? ids[source] : 0;
            }
            targets[b] = ids[index];
        }
        return (tensor(contexts, new long[] { positions.Length, n }), tensor(targets));
    }

    public static NGramMlp Train(IReadOnlyList<int[]> rows, int vocabularySize, int n, TimeSpan budget, int maxEpochs, int seed, Action<string> log)
    {
        manual_seed(seed);
        var model = new NGramMlp(vocabularySize, n, embeddingSize: 24, hiddenSize: 512);
        (int, int)[] positions = Positions(rows);
        var rng = new Random(seed);
        using var optimizer = optim.Adam(model.parameters(), 2e-3);
        const int batchSize = 512;
        var clock = Stopwatch.StartNew();
        long seen = 0;
        TimeSpan lastLog = TimeSpan.Zero;
        double lossSum = 0;
        int lossCount = 0;
        model.train();
        for (int epoch = 1; epoch <= maxEpochs && clock.Elapsed < budget; epoch++)
        {
            rng.Shuffle(positions);
            for (int start = 0; start < positions.Length && clock.Elapsed < budget; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var (contexts, targets) = Batch(rows, positions.AsSpan(start, Math.Min(batchSize, positions.Length - start)), n);
                optimizer.zero_grad();
                Tensor loss = nn.functional.cross_entropy(model.call(contexts), targets);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                lossCount++;
                seen += targets.shape[0];
                if (clock.Elapsed - lastLog > TimeSpan.FromSeconds(30))
                {
                    lastLog = clock.Elapsed;
                    log($"  n-gram epoch {epoch}: {seen:N0} characters, train {lossSum / lossCount / Math.Log(2):F3} bits/char, {seen / clock.Elapsed.TotalSeconds:N0} chars/s");
                    lossSum = 0;
                    lossCount = 0;
                }
            }
        }
        log($"  n-gram: trained on {seen:N0} characters in {clock.Elapsed:mm\\:ss}");
        model.eval();
        return model;
    }

    /// <summary>Summed natural-log likelihood and number of predicted characters on <paramref name="rows"/>.</summary>
    public static (double LogLikelihood, long Count) Evaluate(NGramMlp model, IReadOnlyList<int[]> rows)
    {
        (int, int)[] positions = Positions(rows);
        double sum = 0;
        using var noGrad = no_grad();
        for (int start = 0; start < positions.Length; start += 4096)
        {
            using var scope = NewDisposeScope();
            var (contexts, targets) = Batch(rows, positions.AsSpan(start, Math.Min(4096, positions.Length - start)), model.Context);
            Tensor logp = nn.functional.log_softmax(model.call(contexts), 1).gather(1, targets.unsqueeze(1));
            sum += logp.to(ScalarType.Float64).sum().item<double>();
        }
        return (sum, positions.Length);
    }
}
