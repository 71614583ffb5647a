using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CharTextGeneration;

/// <summary>
/// A model that predicts the next character from the previous <c>n</c> characters only (the teaching baseline; not a
/// library feature). <see cref="Inputs"/> turns positions of the rows into the model's input tensor; within a
/// paragraph the context is left-padded with id 0.
/// </summary>
internal abstract class NGramModel : nn.Module<Tensor, Tensor>
{
    protected NGramModel(string name, int context) : base(name) => Context = context;

    /// <summary>Characters of context.</summary>
    public int Context { get; }

    /// <summary>Short description for the report.</summary>
    public abstract string Description { get; }

    private optim.Optimizer? adam;

    /// <summary>One training step on <paramref name="loss"/>: Adam (0.002) on every parameter unless a model needs otherwise.</summary>
    public virtual void Update(Tensor loss)
    {
        adam ??= optim.Adam(parameters(), 2e-3);
        adam.zero_grad();
        loss.backward();
        adam.step();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            adam?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The input tensor for the characters at <paramref name="positions"/> (row, index ≥ 1).</summary>
    public abstract Tensor Inputs(IReadOnlyList<int[]> rows, ReadOnlySpan<(int Row, int Index)> positions);

    /// <summary>The <c>n</c> ids before <paramref name="index"/> in <paramref name="ids"/> (0 before the row starts).</summary>
    protected static void CopyContext(int[] ids, int index, Span<long> destination)
    {
        for (int k = 0; k < destination.Length; k++)
        {
            int source = index - destination.Length + k;
            destination[k] = source >= 0 ? ids[source] : 0;
        }
    }
}

/// <summary>
/// Bengio et al. (2003) style: embed each of the <c>n</c> context characters, concatenate, one tanh hidden layer,
/// softmax over the characters. Generalizes to contexts never seen in training.
/// </summary>
internal sealed class EmbeddingNGramMlp : NGramModel
{
    private readonly Embedding embedding;
    private readonly Linear hidden;
    private readonly Linear output;

    public EmbeddingNGramMlp(int vocabularySize, int context, int embeddingSize = 24, int hiddenSize = 512) : base(nameof(EmbeddingNGramMlp), context)
    {
        embedding = nn.Embedding(vocabularySize, embeddingSize);
        hidden = nn.Linear(context * embeddingSize, hiddenSize);
        output = nn.Linear(hiddenSize, vocabularySize);
        RegisterComponents();
    }

    public override string Description => $"{Context}-gram MLP, embedded characters (24 each, 512 tanh hidden)";

    public override Tensor Inputs(IReadOnlyList<int[]> rows, ReadOnlySpan<(int Row, int Index)> positions)
    {
        long[] contexts = new long[positions.Length * Context];
        for (int b = 0; b < positions.Length; b++)
            CopyContext(rows[positions[b].Row], positions[b].Index, contexts.AsSpan(b * Context, Context));
        return tensor(contexts, new long[] { positions.Length, Context });
    }

    /// <summary><c>[B, n]</c> context ids → <c>[B, V]</c> logits of the next character.</summary>
    public override Tensor forward(Tensor contexts) =>
        output.call(tanh(hidden.call(embedding.call(contexts).reshape(contexts.shape[0], -1))));
}

/// <summary>
/// The notebook's model: every distinct n-character context seen in training is one input token (a one-hot vector
/// over the n-gram vocabulary, i.e. an embedding row), then a 100-unit ReLU layer and a linear layer over the characters.
/// Contexts never seen in training share one "unseen" token.
/// </summary>
internal sealed class OneHotNGramMlp : NGramModel
{
    private readonly Dictionary<string, int> ngrams;
    private readonly Tensor table;
    private readonly Tensor squaredSums;
    private readonly Linear output;
    private optim.Optimizer? outputAdam;
    private (Tensor Ids, Tensor Rows)? lastBatch;

    public OneHotNGramMlp(IReadOnlyList<int[]> trainRows, int vocabularySize, int context, int hiddenSize = 100) : base(nameof(OneHotNGramMlp), context)
    {
        ngrams = new Dictionary<string, int>(StringComparer.Ordinal) { [""] = 0 };
        long[] buffer = new long[context];
        foreach (int[] row in trainRows)
        {
            for (int t = 1; t < row.Length; t++)
            {
                CopyContext(row, t, buffer);
                ngrams.TryAdd(Key(buffer), ngrams.Count);
            }
        }
        // One-hot × weight is a row lookup in this table; it is updated sparsely in Update.
        table = randn(ngrams.Count, hiddenSize).DetachFromDisposeScope();
        squaredSums = zeros(ngrams.Count, hiddenSize).DetachFromDisposeScope();
        output = nn.Linear(hiddenSize, vocabularySize);
        RegisterComponents();
    }

    /// <summary>Distinct training contexts (the one-hot width), plus the shared "unseen" token.</summary>
    public int NGramVocabularySize => ngrams.Count;

    public override string Description => $"{Context}-gram MLP as in the notebook (one-hot over {NGramVocabularySize:N0} training n-grams, 100 ReLU hidden)";

    public override Tensor Inputs(IReadOnlyList<int[]> rows, ReadOnlySpan<(int Row, int Index)> positions)
    {
        long[] ids = new long[positions.Length];
        long[] buffer = new long[Context];
        for (int b = 0; b < positions.Length; b++)
        {
            CopyContext(rows[positions[b].Row], positions[b].Index, buffer);
            ids[b] = ngrams.GetValueOrDefault(Key(buffer));
        }
        return tensor(ids);
    }

    /// <summary><c>[B]</c> n-gram ids → <c>[B, V]</c> logits.</summary>
    public override Tensor forward(Tensor ngramIds)
    {
        Tensor rows = table.index_select(0, ngramIds);
        if (training)
        {
            rows = rows.requires_grad_(true);
            lastBatch = (ngramIds, rows);
        }
        return output.call(nn.functional.relu(rows));
    }

    /// <summary>
    /// Adam for the output layer; Adagrad (learning rate 0.1) on the table rows of the batch only: a dense optimizer over
    /// every n-gram row at each step would cost far more than the model itself.
    /// </summary>
    public override void Update(Tensor loss)
    {
        outputAdam ??= optim.Adam(output.parameters(), 2e-3);
        outputAdam.zero_grad();
        loss.backward();
        outputAdam.step();
        var (ids, rows) = lastBatch ?? throw new InvalidOperationException("Update needs a training forward pass first.");
        using var noGrad = no_grad();
        Tensor gradient = rows.grad!;
        squaredSums.index_add_(0, ids, gradient * gradient, 1.0);
        Tensor scale = squaredSums.index_select(0, ids).sqrt_().add_(1e-10);
        table.index_add_(0, ids, gradient / scale, -0.1);
        lastBatch = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            outputAdam?.Dispose();
            table.Dispose();
            squaredSums.Dispose();
        }
        base.Dispose(disposing);
    }

    private static string Key(long[] context) => string.Join(',', context);
}

/// <summary>Training (time-budgeted, random positions, Adam) and held-out evaluation of an <see cref="NGramModel"/>.</summary>
internal static class NGramBaseline
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
    /// Trains <paramref name="model"/> on random positions of <paramref name="rows"/> until the budget or the epochs run out,
    /// or until <paramref name="afterEpoch"/> (called with the epoch number after each full epoch) returns false.
    /// </summary>
    public static void Train(NGramModel model, IReadOnlyList<int[]> rows, TimeSpan budget, int maxEpochs, int seed, Action<string> log, Func<int, bool>? afterEpoch = null)
    {
        (int, int)[] positions = Positions(rows);
        var rng = new Random(seed);
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
                var (contexts, targets) = Batch(model, rows, positions.AsSpan(start, Math.Min(batchSize, positions.Length - start)));
                Tensor loss = nn.functional.cross_entropy(model.call(contexts), targets);
                model.Update(loss);
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
            if (afterEpoch is not null && clock.Elapsed < budget)
            {
                model.eval();
                bool go = afterEpoch(epoch);
                model.train();
                if (!go)
                    break;
            }
        }
        log($"  n-gram: trained on {seen:N0} characters in {clock.Elapsed:mm\\:ss}");
        model.eval();
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
