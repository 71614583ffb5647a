using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Examples;

/// <summary>
/// A model that predicts the next character from the previous <c>n</c> characters only (the teaching baseline; not a
/// library feature). <see cref="Inputs"/> turns positions of the rows into the model's input tensor; within a
/// paragraph the context is left-padded with id 0.
/// </summary>
public abstract class NGramModel : nn.Module<Tensor, Tensor>
{
    protected NGramModel(string name, int context) : base(name) => Context = context;

    /// <summary>Characters of context.</summary>
    public int Context { get; }

    /// <summary>Short description for the report.</summary>
    public abstract string Description { get; }

    private HeldScalarAdam? adam;

    /// <summary>One training step on <paramref name="loss"/>: Adam (0.002) on every parameter unless a model needs otherwise.</summary>
    public virtual void Update(Tensor loss)
    {
        adam ??= new HeldScalarAdam(parameters(), 2e-3);
        adam.ZeroGrad();
        loss.backward();
        adam.Step();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            adam?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The input tensor for the characters at <paramref name="positions"/> (row, index ≥ 1).</summary>
    public abstract Tensor Inputs(IReadOnlyList<int[]> rows, ReadOnlySpan<(int Row, int Index)> positions);

    /// <summary>The <c>n</c> ids before <paramref name="index"/> in <paramref name="ids"/> (0 before the row starts).</summary>
    protected static void CopyContext(int[] ids, int index, Span<long> destination)
    {
        for (int k = 0; k < destination.Length; k++)
        {
            int source = index - destination.Length + k;
            destination[k] = source >= 0 ? ids[source] : 0;
        }
    }
}
