using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// A stacked bidirectional RNN/LSTM/GRU computed one layer and one direction at a time, so that both directions can run
/// on a right-padded batch: the reverse direction reads each row's real tokens reversed in place (padding stays at the
/// end), so neither direction ever reads padding before a real token. Same function and same parameters as PyTorch's
/// fused <c>nn.LSTM(bidirectional=True)</c> (inter-layer dropout included); its parameters are named as the fused
/// module names them (<c>weight_ih_l0</c>, <c>weight_ih_l0_reverse</c>, …), so saved weights keep that layout.
/// </summary>
/// <remarks>
/// Why: libtorch's packed-sequence backward zero-fills a gradient the size of the whole batch at every time step
/// (O(steps × tokens)), which made batches of long rows take minutes; a padded, length-bucketed batch does not
/// (docs/performance-notes.md, "Training never packs").
/// </remarks>
internal sealed class BidirectionalRecurrentStack : nn.Module
{
    private readonly ModuleList<nn.Module> directions;
    private readonly int layers;
    private readonly double interLayerDropout;

    public BidirectionalRecurrentStack(RecurrentCell cell, long inputSize, long hiddenSize, int layers, double interLayerDropout) : base(nameof(BidirectionalRecurrentStack))
    {
        this.layers = layers;
        this.interLayerDropout = interLayerDropout;
        directions = new ModuleList<nn.Module>();
        for (int k = 0; k < layers; k++)
        {
            long input = k == 0 ? inputSize : 2 * hiddenSize;
            for (int d = 0; d < 2; d++)
            {
                directions.Add(RecurrentLayers.Create(cell, input, hiddenSize, 1, 0));
            }
        }
        RegisterComponents();
    }

    /// <summary>
    /// Runs the stack over <paramref name="x"/> <c>[B, T, input]</c>. <paramref name="lengths"/> (CPU int64, every
    /// entry ≥ 1) gives each row's real length, or is null when no row is padded. Returns the last layer's outputs
    /// <c>[B, T, 2H]</c> (positions past a row's length hold unspecified values: mask them) and each row's final state
    /// <c>[B, 2H]</c> (forward direction after its last real token, reverse direction after its first). With
    /// <paramref name="packed"/> each direction runs on a packed sequence instead of the padded batch (same result).
    /// <paramref name="initial"/> (hidden, and cell for an LSTM, <c>[layers × 2, B, H]</c>, layer k's forward direction at
    /// 2k and reverse at 2k + 1, as the fused module orders them; null = zeros) is where every direction starts.
    /// </summary>
    public (Tensor Output, Tensor Final) Run(Tensor x, Tensor? lengths, bool packed, (Tensor Hidden, Tensor? Cell)? initial = null)
    {
        using var scope = NewDisposeScope();
        long width = x.shape[1];
        Tensor? reverseIndex = null, lastIndex = null, deviceLengths = null;
        if (lengths is not null)
        {
            deviceLengths = lengths.to(x.device);
            using Scalar end = width.ToScalar();
            Tensor positions = arange(Scalars.Zero, end, Scalars.One, dtype: ScalarType.Int64, device: x.device).unsqueeze(0);
            Tensor rowLengths = deviceLengths.unsqueeze(1);
            // Row b's position t < L_b reads position L_b - 1 - t; padding maps to itself and stays at the end.
            reverseIndex = where(positions.lt(rowLengths), rowLengths.sub(Scalars.One).sub(positions), positions);
            lastIndex = deviceLengths.sub(Scalars.One).view(-1, 1, 1);
        }

        Tensor output = x, final = x;
        for (int k = 0; k < layers; k++)
        {
            if (k > 0 && interLayerDropout > 0)
                output = GeneratorDropout.Apply(output, interLayerDropout, training);
            Tensor forwardOut = RunDirection(directions[2 * k], output, packed ? lengths : null, Slice(initial, 2 * k));
            Tensor reversedOut = RunDirection(directions[2 * k + 1], Reverse(output, reverseIndex), packed ? lengths : null, Slice(initial, 2 * k + 1));
            if (k == layers - 1)
                final = cat(new[] { AtLastStep(forwardOut, lastIndex), AtLastStep(reversedOut, lastIndex) }, 1);
            output = cat(new[] { forwardOut, Reverse(reversedOut, reverseIndex) }, 2);
        }
        return (output.MoveToOuterDisposeScope(), final.MoveToOuterDisposeScope());
    }

    /// <summary>Parameters under the fused module's names: <c>{name}_l{layer}</c> and <c>{name}_l{layer}_reverse</c>.</summary>
    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
    {
        for (int i = 0; i < directions.Count; i++)
        {
            string suffix = $"_l{i / 2}" + (i % 2 == 1 ? "_reverse" : "");
            foreach (var (name, parameter) in directions[i].named_parameters())
                yield return (name.EndsWith("_l0", StringComparison.Ordinal) ? name[..^3] + suffix : name + suffix, parameter);
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

    private static Tensor Reverse(Tensor x, Tensor? reverseIndex) =>
        reverseIndex is null ? x.flip(1) : x.gather(1, reverseIndex.unsqueeze(2).expand(-1, -1, x.shape[2]));

    private static Tensor AtLastStep(Tensor output, Tensor? lastIndex) =>
        lastIndex is null ? output.select(1, -1) : output.gather(1, lastIndex.expand(-1, 1, output.shape[2])).squeeze(1);

    private static Tensor RunDirection(nn.Module layer, Tensor x, Tensor? packLengths, (Tensor Hidden, Tensor? Cell)? initial)
    {
        if (packLengths is null)
            return RecurrentLayers.Run(layer, x, initial).Output;
        var packed = nn.utils.rnn.pack_padded_sequence(x, packLengths, batch_first: true, enforce_sorted: false);
        return nn.utils.rnn.pad_packed_sequence(RecurrentLayers.Run(layer, packed, initial).Output, batch_first: true, total_length: x.shape[1]).Item1;
    }

    /// <summary>The initial state of direction <paramref name="index"/> (<c>[1, B, H]</c> each), or null.</summary>
    private static (Tensor Hidden, Tensor? Cell)? Slice((Tensor Hidden, Tensor? Cell)? initial, int index) =>
        initial is { } s ? (s.Hidden.narrow(0, index, 1), s.Cell?.narrow(0, index, 1)) : null;
}
