namespace MLNet.Recurrent;

/// <summary>The recurrent cell of a network.</summary>
public enum RecurrentCell
{
    /// <summary>Elman RNN with tanh non-linearity (<c>torch.nn.RNN</c>).</summary>
    Rnn,
    /// <summary>Long short-term memory (<c>torch.nn.LSTM</c>).</summary>
    Lstm,
    /// <summary>Gated recurrent unit (<c>torch.nn.GRU</c>).</summary>
    Gru,
}
