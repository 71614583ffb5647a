using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Examples;

/// <summary>
/// The notebook's model: every distinct n-character context seen in training is one input token (a one-hot vector
/// over the n-gram vocabulary, i.e. an embedding row), then a 100-unit ReLU layer and a linear layer over the characters.
/// Contexts never seen in training share one "unseen" token.
/// </summary>
public sealed class OneHotNGramMlp : NGramModel
{
    private readonly Dictionary<string, int> ngrams;
    private readonly Tensor table;
    private readonly Tensor squaredSums;
    private readonly Linear output;
    private HeldScalarAdam? outputAdam;
    // Held for the model's lifetime: a scalar converted implicitly can be freed by its finalizer while libtorch reads it.
    private readonly Scalar one = 1.ToScalar(), tiny = 1e-10.ToScalar(), minusRate = (-0.1).ToScalar();
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
        outputAdam ??= new HeldScalarAdam(output.parameters(), 2e-3);
        outputAdam.ZeroGrad();
        loss.backward();
        outputAdam.Step();
        var (ids, rows) = lastBatch ?? throw new InvalidOperationException("Update needs a training forward pass first.");
        using var noGrad = no_grad();
        using Tensor gradient = rows.grad!;
        using Tensor squared = gradient * gradient;
        squaredSums.index_add_(0, ids, squared, one);
        using Tensor scale = squaredSums.index_select(0, ids).sqrt_().add_(tiny, one);
        using Tensor step = gradient / scale;
        table.index_add_(0, ids, step, minusRate);
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
            foreach (Scalar s in new[] { one, tiny, minusRate })
                s.Dispose();
        }
        base.Dispose(disposing);
    }

    private static string Key(long[] context) => string.Join(',', context);
}
