using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// libtorch's fused RNN/LSTM/GRU modules behind one set of calls: creating them (batch-first), running them on a padded
/// batch or a packed sequence from the initial zero state, and what one time step costs.
/// </summary>
internal static class RecurrentLayers
{
    /// <summary>A batch-first stack of <paramref name="layers"/> forward-only layers of <paramref name="cell"/>.</summary>
    public static nn.Module Create(RecurrentCell cell, long inputSize, long hiddenSize, long layers, double interLayerDropout) => cell switch
    {
        RecurrentCell.Lstm => nn.LSTM(inputSize, hiddenSize, layers, batchFirst: true, dropout: interLayerDropout),
        RecurrentCell.Gru => nn.GRU(inputSize, hiddenSize, layers, batchFirst: true, dropout: interLayerDropout),
        _ => nn.RNN(inputSize, hiddenSize, layers, nn.NonLinearities.Tanh, batchFirst: true, dropout: interLayerDropout),
    };

    /// <summary>Runs <paramref name="layer"/> over a padded batch: every step's output and the final hidden states.</summary>
    public static (Tensor Output, Tensor Hidden) Run(nn.Module layer, Tensor x)
    {
        switch (layer)
        {
            case LSTM lstm:
                var (o, h, _) = lstm.call(x, null);
                return (o, h);
            case GRU gru:
                return gru.call(x, null);
            case RNN rnn:
                return rnn.call(x, null);
            default:
                throw new InvalidOperationException("Unknown recurrent layer.");
        }
    }

    /// <summary>Runs <paramref name="layer"/> over a packed sequence: the packed outputs and the final hidden states.</summary>
    public static (nn.utils.rnn.PackedSequence Output, Tensor Hidden) Run(nn.Module layer, nn.utils.rnn.PackedSequence x)
    {
        switch (layer)
        {
            case LSTM lstm:
                var (o, h, _) = lstm.call(x, null);
                return (o, h);
            case GRU gru:
                return gru.call(x, null);
            case RNN rnn:
                return rnn.call(x, null);
            default:
                throw new InvalidOperationException("Unknown recurrent layer.");
        }
    }

    /// <summary>
    /// Weights the recurrent layers multiply per time step and row: each direction of each layer has
    /// gates × hidden × (input + hidden) of them (4 gates for an LSTM, 3 for a GRU, 1 for an RNN).
    /// </summary>
    public static long StepWeights(RecurrentCell cell, long inputSize, long hiddenSize, int layers, int directions)
    {
        long gates = cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };
        long total = 0;
        for (int layer = 0; layer < layers; layer++)
        {
            long input = layer == 0 ? inputSize : directions * hiddenSize;
            total += directions * gates * hiddenSize * (input + hiddenSize);
        }
        return total;
    }
}
