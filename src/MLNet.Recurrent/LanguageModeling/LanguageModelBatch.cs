using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// One batch of next-token windows: <see cref="Inputs"/> and <see cref="Targets"/> are <c>[B, T]</c> int64 on the training
/// device; a target of 0 (<c>&lt;pad&gt;</c>) marks a position without a prediction (padding).
/// </summary>
internal sealed class LanguageModelBatch : IDisposable
{
    public LanguageModelBatch(Tensor inputs, Tensor targets, long tokenCount, bool carriesState)
    {
        Inputs = inputs;
        Targets = targets;
        TokenCount = tokenCount;
        CarriesState = carriesState;
    }

    public Tensor Inputs { get; }

    public Tensor Targets { get; }

    /// <summary>Number of predicted tokens (non-zero targets).</summary>
    public long TokenCount { get; }

    /// <summary>Whether the batch continues the previous batch's streams, so the state after it is the state to start from.</summary>
    public bool CarriesState { get; }

    /// <summary>Builds a batch from row-major id arrays (<paramref name="width"/> columns) and moves it to <paramref name="device"/>.</summary>
    public static LanguageModelBatch Create(long[] inputs, long[] targets, int rows, int width, long tokenCount, bool carriesState, Device device)
    {
        Tensor x = tensor(inputs, new long[] { rows, width }, ScalarType.Int64);
        Tensor y = tensor(targets, new long[] { rows, width }, ScalarType.Int64);
        if (device.type != DeviceType.CPU)
        {
            Tensor mx = x.to(device), my = y.to(device);
            x.Dispose();
            y.Dispose();
            (x, y) = (mx, my);
        }
        return new LanguageModelBatch(x, y, tokenCount, carriesState);
    }

    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
    }
}
