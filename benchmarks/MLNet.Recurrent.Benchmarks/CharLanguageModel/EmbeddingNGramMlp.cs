using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

using MLNet.Recurrent.Examples;

namespace MLNet.Recurrent.Benchmarks.CharLanguageModel;

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
