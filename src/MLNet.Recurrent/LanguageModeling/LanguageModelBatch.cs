using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// One batch of next-token windows: <see cref="Inputs"/> and <see cref="Targets"/> are <c>[B, T]</c> int64 on the training
/// device; a target of 0 (<c>&lt;pad&gt;</c>) marks a position without a prediction (padding). Its rows are independent
/// of each other (continuous streams carry state only within their own row), so data-parallel training cuts a batch into
/// parts of consecutive rows (<see cref="Split"/>).
/// </summary>
internal sealed class LanguageModelBatch : IDisposable
{
    public LanguageModelBatch(Tensor inputs, Tensor targets, long tokenCount, bool carriesState, int firstRow = 0)
    {
        Inputs = inputs;
        Targets = targets;
        TokenCount = tokenCount;
        CarriesState = carriesState;
        FirstRow = firstRow;
    }

    public Tensor Inputs { get; }

    public Tensor Targets { get; }

    /// <summary>Number of predicted tokens (non-zero targets).</summary>
    public long TokenCount { get; }

    /// <summary>Whether the batch continues the previous batch's streams, so the state after it is the state to start from.</summary>
    public bool CarriesState { get; }

    /// <summary>
    /// Where this batch's rows start in the batch it was cut from: 0 for a whole batch, the first row of a data-parallel
    /// part. <see cref="LanguageModelObjective"/> carries each part's state under it.
    /// </summary>
    public int FirstRow { get; }

    /// <summary>Rows (streams or windows) in the batch.</summary>
    public int Rows => (int)Inputs.shape[0];

    /// <summary>
    /// The rows as at most <paramref name="parts"/> batches of consecutive rows (sizes differing by at most one, each at
    /// least <see cref="ISplittableBatchSource{TBatch}.MinimumRowsPerPart"/> rows), views of this batch's tensors that
    /// keep <see cref="CarriesState"/>; an empty array when the batch is too small for 2 parts. The caller disposes them.
    /// </summary>
    public LanguageModelBatch[] Split(int parts)
    {
        int rows = Rows;
        int n = Math.Min(parts, rows / ISplittableBatchSource<LanguageModelBatch>.MinimumRowsPerPart);
        if (n < 2)
            return Array.Empty<LanguageModelBatch>();
        var result = new LanguageModelBatch[n];
        int first = 0;
        for (int k = 0; k < n; k++)
        {
            int count = rows / n + (k < rows % n ? 1 : 0);
            Tensor inputs = Inputs.narrow(0, first, count), targets = Targets.narrow(0, first, count);
            using Tensor predicted = targets.count_nonzero();
            result[k] = new LanguageModelBatch(inputs, targets, predicted.item<long>(), CarriesState, FirstRow + first);
            first += count;
        }
        return result;
    }

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
