using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecurrentBasics;

/// <summary>
/// The notebook's RNN cell, written out: <c>s_{t+1} = f(conc(s_t, x_{t+1})·W + b)</c> — the state and the input
/// concatenated, one linear layer, an activation. <paramref name="residual"/> adds the current state to the new one
/// (<c>s_{t+1} = f(…) + s_t</c>), the change that turns the plain RNN towards the LSTM.
/// </summary>
internal sealed class HandWrittenRnnCell(int inputSize, int stateSize, Func<Tensor, Tensor> activation, bool residual = false)
    : nn.Module<Tensor, Tensor, Tensor>(nameof(HandWrittenRnnCell))
{
    private readonly Linear layer = nn.Linear(stateSize + inputSize, stateSize);

    /// <summary>(state <c>[B, S]</c>, input <c>[B, I]</c>) → the next state <c>[B, S]</c>.</summary>
    public override Tensor forward(Tensor state, Tensor input)
    {
        Tensor next = activation(layer.call(cat([state, input], 1)));
        return residual ? next + state : next;
    }

    /// <summary>Registers the layer (primary constructors cannot call it before the field initializers run).</summary>
    public HandWrittenRnnCell Build()
    {
        RegisterComponents();
        return this;
    }
}

/// <summary>
/// Runs a cell over a padded batch: a learnable initial state (zeros at first, then whatever the optimiser finds)
/// tiled over the batch, and at each step <c>torch.where(mask, new state, old state)</c>, so that padding leaves the
/// state exactly as the last real input left it.
/// </summary>
internal sealed class MaskedRnn : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter initialState;
    private readonly nn.Module<Tensor, Tensor, Tensor> cell;

    public MaskedRnn(nn.Module<Tensor, Tensor, Tensor> cell, int stateSize) : base(nameof(MaskedRnn))
    {
        this.cell = cell;
        initialState = nn.Parameter(zeros(stateSize));
        RegisterComponents();
    }

    /// <summary>The learned initial state.</summary>
    public Tensor InitialState => initialState;

    /// <summary>(inputs <c>[B, T, I]</c>, mask <c>[B, T]</c>, true at real positions) → final state <c>[B, S]</c>.</summary>
    public override Tensor forward(Tensor inputs, Tensor mask)
    {
        Tensor state = initialState[TensorIndex.None, TensorIndex.Colon].tile([inputs.shape[0], 1]);
        for (long t = 0; t < inputs.shape[1]; t++)
        {
            Tensor next = cell.call(state, inputs[TensorIndex.Colon, t, TensorIndex.Colon]);
            state = where(mask[TensorIndex.Colon, t, TensorIndex.None], next, state);
        }
        return state;
    }
}

/// <summary>Token ids → embedding → a <see cref="MaskedRnn"/> → one logit. Id 0 is padding.</summary>
internal sealed class ToySentimentModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly MaskedRnn rnn;
    private readonly Linear output;

    public ToySentimentModel(int vocabularySize, int embeddingSize, int stateSize, nn.Module<Tensor, Tensor, Tensor> cell) : base(nameof(ToySentimentModel))
    {
        embedding = nn.Embedding(vocabularySize, embeddingSize);
        rnn = new MaskedRnn(cell, stateSize);
        output = nn.Linear(stateSize, 1);
        RegisterComponents();
    }

    /// <summary>The embedding (its gradient shows which tokens influenced the loss).</summary>
    public Embedding Embedding => embedding;

    /// <summary>The learned initial state.</summary>
    public Tensor InitialState => rnn.InitialState;

    /// <summary><c>[B, T]</c> ids → <c>[B, 1]</c> logits.</summary>
    public override Tensor forward(Tensor ids) => output.call(rnn.call(embedding.call(ids), ids.ne(0)));
}

/// <summary>Bits <c>[B, T]</c> (0/1 floats) and a mask of the real positions → the logit of "odd number of ones".</summary>
internal sealed class ParityModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly MaskedRnn rnn;
    private readonly Linear output;

    public ParityModel(int stateSize) : base(nameof(ParityModel))
    {
        rnn = new MaskedRnn(new HandWrittenRnnCell(1, stateSize, torch.tanh).Build(), stateSize);
        output = nn.Linear(stateSize, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor bits, Tensor mask) => output.call(rnn.call(bits.unsqueeze(2), mask)).squeeze(1);
}
