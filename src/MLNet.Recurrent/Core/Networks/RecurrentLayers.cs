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
    /// <summary>
    /// A batch-first stack of <paramref name="layers"/> forward-only layers of <paramref name="cell"/>: libtorch's fused
    /// module, or, with two or more layers and inter-layer dropout, a <see cref="ForwardRecurrentStack"/> (same parameter
    /// names) whose dropout draws from the training's generator.
    /// </summary>
    public static nn.Module Create(RecurrentCell cell, long inputSize, long hiddenSize, int layers, double interLayerDropout)
    {
        if (layers > 1 && interLayerDropout > 0)
            return new ForwardRecurrentStack(cell, inputSize, hiddenSize, layers, interLayerDropout);
        return cell switch
        {
            RecurrentCell.Lstm => nn.LSTM(inputSize, hiddenSize, layers, batchFirst: true),
            RecurrentCell.Gru => nn.GRU(inputSize, hiddenSize, layers, batchFirst: true),
            _ => nn.RNN(inputSize, hiddenSize, layers, nn.NonLinearities.Tanh, batchFirst: true),
        };
    }

    /// <summary>
    /// Runs <paramref name="layer"/> over a padded batch from <paramref name="state"/> (<c>[parts, layers, B, H]</c>: parts
    /// = 2 for an LSTM, hidden and cell; null = zeros) and returns every step's output and the state after the last step
    /// in the same layout.
    /// </summary>
    public static (Tensor Output, Tensor State) RunWithState(nn.Module layer, Tensor x, Tensor? state)
    {
        switch (layer)
        {
            case ForwardRecurrentStack stack:
                return stack.Run(x, state);
            case LSTM lstm:
            {
                var (o, h, c) = lstm.call(x, state is null ? null : (state[0], state[1]));
                return (o, stack(new[] { h, c }));
            }
            case GRU gru:
            {
                var (o, h) = gru.call(x, state?[0]);
                return (o, h.unsqueeze(0));
            }
            case RNN rnn:
            {
                var (o, h) = rnn.call(x, state?[0]);
                return (o, h.unsqueeze(0));
            }
            default:
                throw new InvalidOperationException("Unknown recurrent layer.");
        }
    }

    /// <summary>
    /// Runs <paramref name="layer"/> over a padded batch from <paramref name="initial"/> (hidden, and cell for an LSTM, each
    /// <c>[layers × directions, B, H]</c>; null = zeros): every step's output and the final hidden states.
    /// </summary>
    public static (Tensor Output, Tensor Hidden) Run(nn.Module layer, Tensor x, (Tensor Hidden, Tensor? Cell)? initial = null)
    {
        switch (layer)
        {
            case ForwardRecurrentStack stack:
                var (output, state) = stack.Run(x, initial is { } s ? StackedState(s) : null);
                return (output, state[0]);
            case LSTM lstm:
                var (o, h, _) = lstm.call(x, initial is { } l ? (l.Hidden, l.Cell!) : null);
                return (o, h);
            case GRU gru:
                return gru.call(x, initial?.Hidden);
            case RNN rnn:
                return rnn.call(x, initial?.Hidden);
            default:
                throw new InvalidOperationException("Unknown recurrent layer.");
        }
    }

    /// <summary>Runs <paramref name="layer"/> over a packed sequence from <paramref name="initial"/> (as <see cref="Run(nn.Module, Tensor, ValueTuple{Tensor, Tensor}?)"/>): the packed outputs and the final hidden states.</summary>
    public static (nn.utils.rnn.PackedSequence Output, Tensor Hidden) Run(nn.Module layer, nn.utils.rnn.PackedSequence x, (Tensor Hidden, Tensor? Cell)? initial = null)
    {
        switch (layer)
        {
            case ForwardRecurrentStack stack:
                return stack.Run(x, initial);
            case LSTM lstm:
                var (o, h, _) = lstm.call(x, initial is { } l ? (l.Hidden, l.Cell!) : null);
                return (o, h);
            case GRU gru:
                return gru.call(x, initial?.Hidden);
            case RNN rnn:
                return rnn.call(x, initial?.Hidden);
            default:
                throw new InvalidOperationException("Unknown recurrent layer.");
        }
    }

    /// <summary>Hidden (and cell) states <c>[layers, B, H]</c> as the stacked <c>[parts, layers, B, H]</c> layout of <see cref="RunWithState"/>.</summary>
    private static Tensor StackedState((Tensor Hidden, Tensor? Cell) state) =>
        state.Cell is null ? state.Hidden.unsqueeze(0) : stack(new[] { state.Hidden, state.Cell });

    /// <summary>
    /// <see cref="RecurrentInitialization.Keras"/>: every <c>weight_ih</c> Glorot-uniform, every <c>weight_hh</c>
    /// orthogonal, every bias zero, drawn from <paramref name="generator"/>; for an LSTM the forget-gate bias is then 1.
    /// libtorch's LSTM has two bias vectors per layer and direction, each with the gates in the order input, forget,
    /// cell, output: the forget slice of <c>bias_ih</c> becomes 1, that of <c>bias_hh</c> stays 0, so their sum is 1.
    /// </summary>
    public static void InitializeKeras(nn.Module layers, RecurrentCell cell, long hiddenSize, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in layers.named_parameters())
        {
            string local = name[(name.LastIndexOf('.') + 1)..];
            if (local.StartsWith("weight_ih_l", StringComparison.Ordinal))
            {
                // Keras's kernel is this matrix transposed: the same fan-in + fan-out.
                double limit = Math.Sqrt(6.0 / (parameter.shape[0] + parameter.shape[1]));
                parameter.uniform_(-limit, limit, generator);
            }
            else if (local.StartsWith("weight_hh_l", StringComparison.Ordinal))
            {
                Orthogonal(parameter, generator);
            }
            else if (local.StartsWith("bias_", StringComparison.Ordinal))
            {
                parameter.zero_();
                if (cell == RecurrentCell.Lstm && local.StartsWith("bias_ih_l", StringComparison.Ordinal))
                    parameter.narrow(0, hiddenSize, hiddenSize).fill_(Scalars.OneDouble);
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="weight"/>, a recurrent kernel (gates × hidden rows, hidden columns: never wider than tall),
    /// with orthonormal columns as PyTorch's <c>orthogonal_</c> does, drawing from <paramref name="generator"/>.
    /// </summary>
    private static void Orthogonal(Tensor weight, Generator generator)
    {
        using var scope = NewDisposeScope();
        Tensor a = empty(weight.shape[0], weight.shape[1], dtype: weight.dtype, device: weight.device);
        a.normal_(0, 1, generator);
        var (q, r) = linalg.qr(a);
        // Signs from R's diagonal make the draw uniform over matrices with orthonormal columns.
        weight.copy_(q * r.diagonal().sign());
    }

    /// <summary>
    /// Weights the recurrent layers multiply per time step and row: each direction of each layer has
    /// gates × hidden × (input + hidden) of them (4 gates for an LSTM, 3 for a GRU, 1 for an RNN).
    /// </summary>
    public static long StepWeights(RecurrentCell cell, long inputSize, long hiddenSize, int layers, int directions)
    {
        long gates = Gates(cell);
        long total = 0;
        for (int layer = 0; layer < layers; layer++)
        {
            long input = layer == 0 ? inputSize : directions * hiddenSize;
            total += directions * gates * hiddenSize * (input + hiddenSize);
        }
        return total;
    }

    /// <summary>
    /// The weight tensors of a stack made by <see cref="Create"/> (one direction) or <see cref="BidirectionalRecurrentStack"/>
    /// (two), under the fused module's state-dict names after <paramref name="prefix"/>, with their shapes — without
    /// building it, so a saved model's weights can be checked against its architecture before anything is allocated.
    /// </summary>
    public static IEnumerable<(string Name, long[] Shape)> StateShapes(string prefix, RecurrentCell cell, long inputSize, long hiddenSize, int layers, int directions)
    {
        long rows = Gates(cell) * hiddenSize;
        for (int k = 0; k < layers; k++)
        {
            long input = k == 0 ? inputSize : directions * hiddenSize;
            for (int d = 0; d < directions; d++)
            {
                string suffix = $"_l{k}" + (d == 1 ? "_reverse" : "");
                yield return ($"{prefix}weight_ih{suffix}", new[] { rows, input });
                yield return ($"{prefix}weight_hh{suffix}", new[] { rows, hiddenSize });
                yield return ($"{prefix}bias_ih{suffix}", new[] { rows });
                yield return ($"{prefix}bias_hh{suffix}", new[] { rows });
            }
        }
    }

    /// <summary>Gates per cell: 4 for an LSTM, 3 for a GRU, 1 for a tanh RNN.</summary>
    private static long Gates(RecurrentCell cell) => cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };
}
