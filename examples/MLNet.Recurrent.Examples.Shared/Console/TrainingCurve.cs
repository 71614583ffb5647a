namespace MLNet.Recurrent.Examples;

/// <summary>What a training run reported: one point per epoch, and the training loss as it went (about once a second).</summary>
public sealed class TrainingCurve
{
    private readonly List<TrainingProgress> epochs = new();
    private readonly List<(double Epoch, double Seconds, double Loss)> running = new();

    /// <summary>Creates an empty curve.</summary>
    public TrainingCurve(string name) => Name = name;

    /// <summary>The name of the model (legend text).</summary>
    public string Name { get; }

    /// <summary>The report made at the end of each epoch.</summary>
    public IReadOnlyList<TrainingProgress> Epochs => epochs;

    /// <summary>
    /// Every report: (epochs done, as a fraction; seconds since the start; mean training loss of the epoch so far).
    /// </summary>
    public IReadOnlyList<(double Epoch, double Seconds, double Loss)> Running => running;

    /// <summary>Wall-clock time of the whole fit.</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>Epoch numbers as doubles (x axis).</summary>
    public double[] EpochNumbers => epochs.Select(e => (double)e.Epoch).ToArray();

    /// <summary>Training loss at the end of each epoch.</summary>
    public double[] TrainLoss => epochs.Select(e => e.TrainLoss).ToArray();

    /// <summary>Validation loss after each epoch (NaN where there was none).</summary>
    public double[] ValidationLoss => epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray();

    /// <summary>Validation metric after each epoch (NaN where there was none).</summary>
    public double[] ValidationMetric => epochs.Select(e => e.ValidationMetric ?? double.NaN).ToArray();

    internal void Add(TrainingProgress p)
    {
        double epoch = p.Epoch - 1 + (p.BatchesPerEpoch == 0 ? 1 : (double)p.Batch / p.BatchesPerEpoch);
        running.Add((p.IsEpochEnd ? p.Epoch : epoch, p.Elapsed.TotalSeconds, p.TrainLoss));
        if (p.IsEpochEnd)
            epochs.Add(p);
    }
}
