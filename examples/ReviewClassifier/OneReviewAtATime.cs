using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReviewClassifier;

/// <summary>
/// The notebook's first model, written out: an embedding, two linear maps whose sum goes through tanh to give the next
/// hidden state (<c>h = tanh(W_i·x + W_h·h)</c>), one token at a time from a zero state, and a linear output on the
/// final state. It reads one review per call, so it is slow: the point the notebook makes before batching.
/// </summary>
internal sealed class OneReviewAtATime : nn.Module<long[], Tensor>
{
    private readonly Embedding embedding;
    private readonly Linear inputToHidden;
    private readonly Linear hiddenToHidden;
    private readonly Linear output;
    private readonly int hiddenSize;

    public OneReviewAtATime(int vocabularySize, int embeddingSize, int hiddenSize) : base(nameof(OneReviewAtATime))
    {
        this.hiddenSize = hiddenSize;
        embedding = nn.Embedding(vocabularySize, embeddingSize);
        inputToHidden = nn.Linear(embeddingSize, hiddenSize);
        hiddenToHidden = nn.Linear(hiddenSize, hiddenSize);
        output = nn.Linear(hiddenSize, 1);
        RegisterComponents();
    }

    /// <summary>Token ids of one review → its logit (a scalar).</summary>
    public override Tensor forward(long[] tokenIds)
    {
        Tensor embedded = embedding.call(tensor(tokenIds));
        Tensor hidden = zeros(hiddenSize);
        for (int t = 0; t < tokenIds.Length; t++)
            hidden = tanh(inputToHidden.call(embedded[t]) + hiddenToHidden.call(hidden));
        return output.call(hidden).squeeze();
    }
}
