using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecurrentBasics;

/// <summary>
/// The LSTM cell written out, as the notebook defines it: three gates and a candidate, each a linear layer on
/// <c>conc(s_t, x_{t+1})</c>:
/// <c>c_{t+1} = g_i · tanh(conc·W_c + b_c) + g_f · c_t</c>, <c>s_{t+1} = g_o · tanh(c_{t+1})</c>, <c>g = sigmoid(conc·W_g + b_g)</c>.
/// </summary>
internal sealed class HandWrittenLstmCell : nn.Module<Tensor, Tensor, Tensor, (Tensor State, Tensor Cell)>
{
    private readonly Linear inputGate, forgetGate, outputGate, candidate;

    public HandWrittenLstmCell(int inputSize, int stateSize) : base(nameof(HandWrittenLstmCell))
    {
        inputGate = nn.Linear(stateSize + inputSize, stateSize);
        forgetGate = nn.Linear(stateSize + inputSize, stateSize);
        outputGate = nn.Linear(stateSize + inputSize, stateSize);
        candidate = nn.Linear(stateSize + inputSize, stateSize);
        RegisterComponents();
    }

    /// <summary>(input <c>[B, I]</c>, state <c>[B, S]</c>, cell <c>[B, S]</c>) → (next state, next cell).</summary>
    public override (Tensor State, Tensor Cell) forward(Tensor x, Tensor state, Tensor cell)
    {
        Tensor both = cat([state, x], 1);
        Tensor c = sigmoid(inputGate.call(both)) * tanh(candidate.call(both)) + sigmoid(forgetGate.call(both)) * cell;
        return (sigmoid(outputGate.call(both)) * tanh(c), c);
    }

    /// <summary>
    /// Copies the weights of TorchSharp's <see cref="LSTMCell"/> (gates stacked i, f, g, o; input and hidden weights
    /// apart, two biases) into this cell's four layers, so both compute the same function.
    /// </summary>
    public void CopyFrom(LSTMCell library)
    {
        using var noGrad = no_grad();
        Tensor[] wi = library.weight_ih!.chunk(4, 0), wh = library.weight_hh!.chunk(4, 0);
        Tensor[] bi = library.bias_ih!.chunk(4, 0), bh = library.bias_hh!.chunk(4, 0);
        Linear[] order = [inputGate, forgetGate, candidate, outputGate];
        for (int k = 0; k < 4; k++)
        {
            order[k].weight!.copy_(cat([wh[k], wi[k]], 1)); // state first, then input, as conc(s, x)
            order[k].bias!.copy_(bi[k] + bh[k]);
        }
    }
}

/// <summary>
/// The notebook's LSTM sentiment model: embedding → TorchSharp's <see cref="LSTMCell"/> stepped in a loop from learnable
/// initial states <c>s_0</c> and <c>c_0</c>, padding masked with <c>torch.where</c> → one logit.
/// </summary>
internal sealed class LstmSentimentModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly LSTMCell cell;
    private readonly Parameter initialState, initialCell;
    private readonly Linear output;

    public LstmSentimentModel(int vocabularySize, int embeddingSize, int stateSize) : base(nameof(LstmSentimentModel))
    {
        embedding = nn.Embedding(vocabularySize, embeddingSize);
        cell = nn.LSTMCell(embeddingSize, stateSize);
        initialState = nn.Parameter(zeros(stateSize));
        initialCell = nn.Parameter(zeros(stateSize));
        output = nn.Linear(stateSize, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids)
    {
        Tensor embedded = embedding.call(ids), mask = ids.ne(0).unsqueeze(2);
        Tensor h = initialState[TensorIndex.None, TensorIndex.Colon].tile([ids.shape[0], 1]);
        Tensor c = initialCell[TensorIndex.None, TensorIndex.Colon].tile([ids.shape[0], 1]);
        for (long t = 0; t < ids.shape[1]; t++)
        {
            var (nextH, nextC) = cell.call(embedded[TensorIndex.Colon, t, TensorIndex.Colon], (h, c));
            h = where(mask[TensorIndex.Colon, t], nextH, h);
            c = where(mask[TensorIndex.Colon, t], nextC, c);
        }
        return output.call(h);
    }
}
