using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// A stack of forward-only RNN/LSTM/GRU layers run one layer at a time, with <see cref="GeneratorDropout"/> between them:
/// what libtorch's fused multi-layer module computes with its <c>dropout</c> argument, but with the dropout masks drawn
/// from the training's own generator (the fused module draws from libtorch's process-wide one, see
/// <see cref="TrainingRandomness"/>). Used for stacks of two or more layers with inter-layer dropout; its parameters
/// carry the fused module's names (<c>weight_ih_l{k}</c>, …), so saved weights have the same layout either way.
/// </summary>
internal sealed class ForwardRecurrentStack : nn.Module
{
    private readonly ModuleList<nn.Module> layers;
    private readonly double interLayerDropout;

    public ForwardRecurrentStack(RecurrentCell cell, long inputSize, long hiddenSize, int layers, double interLayerDropout) : base(nameof(ForwardRecurrentStack))
    {
        this.interLayerDropout = interLayerDropout;
        this.layers = new ModuleList<nn.Module>();
        for (int k = 0; k < layers; k++)
            this.layers.Add(RecurrentLayers.Create(cell, k == 0 ? inputSize : hiddenSize, hiddenSize, 1, 0));
        Cell = cell;
        RegisterComponents();
    }

    /// <summary>The cell of every layer.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>Number of layers.</summary>
    public int Layers => layers.Count;

    /// <summary>
    /// Whether training applies the inter-layer dropout; true by default. Set by a training objective that turns dropout on
    /// only from a later epoch (<see cref="LanguageModelOptions.DropoutStartEpoch"/>).
    /// </summary>
    public bool DropoutActive { get; set; } = true;

    /// <summary>
    /// Runs the stack over a padded batch <paramref name="x"/> <c>[B, T, input]</c> from <paramref name="state"/>
    /// (<c>[parts, layers, B, H]</c>, parts = 2 for an LSTM; null = zeros). Returns every step's output of the last layer
    /// and the state after the last step.
    /// </summary>
    public (Tensor Output, Tensor State) Run(Tensor x, Tensor? state)
    {
        var finals = new List<Tensor>(layers.Count);
        for (int k = 0; k < layers.Count; k++)
        {
            if (k > 0)
                x = GeneratorDropout.Apply(x, interLayerDropout, training && DropoutActive);
            (x, Tensor layerState) = RecurrentLayers.RunWithState(layers[k], x, state?.narrow(1, k, 1));
            finals.Add(layerState);
        }
        return (x, cat(finals, 1));
    }

    /// <summary>
    /// Runs the stack over a packed sequence (prediction: no dropout) from <paramref name="initial"/> (hidden, and cell for
    /// an LSTM, <c>[layers, B, H]</c>; null = zeros); returns the packed output and the final hidden states <c>[layers, B, H]</c>.
    /// </summary>
    public (nn.utils.rnn.PackedSequence Output, Tensor Hidden) Run(nn.utils.rnn.PackedSequence x, (Tensor Hidden, Tensor? Cell)? initial = null)
    {
        if (training && interLayerDropout > 0)
            throw new InvalidOperationException("Training runs on padded batches; packed sequences are for prediction.");
        var hidden = new List<Tensor>(layers.Count);
        for (int k = 0; k < layers.Count; k++)
        {
            (x, Tensor h) = RecurrentLayers.Run(layers[k], x, initial is { } s ? (s.Hidden.narrow(0, k, 1), s.Cell?.narrow(0, k, 1)) : null);
            hidden.Add(h);
        }
        return (x, cat(hidden, 0));
    }

    /// <summary>Parameters under the fused module's names: <c>{name}_l{layer}</c>.</summary>
    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
    {
        for (int k = 0; k < layers.Count; k++)
        {
            foreach (var (name, parameter) in layers[k].named_parameters())
                yield return (name.EndsWith("_l0", StringComparison.Ordinal) ? name[..^3] + $"_l{k}" : name + $"_l{k}", parameter);
        }
    }

    /// <summary>The parameters under the fused module's names (see <see cref="named_parameters"/>); there are no buffers.</summary>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
    {
        destination ??= new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in named_parameters())
            destination.TryAdd(string.IsNullOrEmpty(prefix) ? name : $"{prefix}.{name}", parameter);
        return destination;
    }
}
