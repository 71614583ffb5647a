namespace MLNet.Recurrent;

/// <summary>How the weights of the recurrent layers (RNN, LSTM, GRU) start.</summary>
public enum RecurrentInitialization
{
    /// <summary>PyTorch's default: every recurrent weight and bias uniform in ±1/√hidden.</summary>
    PyTorch,

    /// <summary>
    /// Keras's defaults for <c>SimpleRNN</c>, <c>LSTM</c> and <c>GRU</c>: input kernels Glorot-uniform
    /// (<c>glorot_uniform</c>), recurrent kernels orthogonal (<c>orthogonal</c>), biases zero, and an LSTM's forget-gate
    /// bias 1 (<c>unit_forget_bias</c>), so that early in training its cells keep their state rather than forget it.
    /// </summary>
    Keras,
}
