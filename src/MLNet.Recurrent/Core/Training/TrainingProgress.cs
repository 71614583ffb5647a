namespace MLNet.Recurrent;

/// <summary>A snapshot of training, reported through <see cref="IProgress{T}"/> during batches (at most about once a second) and after every epoch.</summary>
public sealed record TrainingProgress
{
    /// <summary>1-based epoch.</summary>
    public int Epoch { get; init; }

    /// <summary>Number of epochs planned.</summary>
    public int TotalEpochs { get; init; }

    /// <summary>Batches done in this epoch.</summary>
    public int Batch { get; init; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch { get; init; }

    /// <summary>True for the report made after an epoch (and its validation) finished.</summary>
    public bool IsEpochEnd { get; init; }

    /// <summary>Training throughput in this epoch, samples (rows, or tokens for language models) per second.</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>Mean training loss over this epoch so far.</summary>
    public double TrainLoss { get; init; }

    /// <summary>Mean validation loss after this epoch, or null without validation data (or before the epoch ends).</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Validation metric after this epoch (see <see cref="MetricName"/>), or null.</summary>
    public double? ValidationMetric { get; init; }

    /// <summary>Name of <see cref="ValidationMetric"/>: "accuracy", "rmse", "perplexity", ...</summary>
    public string MetricName { get; init; } = "";

    /// <summary>Current learning rate.</summary>
    public double LearningRate { get; init; }

    /// <summary>Time since training started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to finish all epochs, or to the end of <c>MaximumTrainingTime</c> when that comes first; zero after the last planned epoch or once that budget has run out.</summary>
    public TimeSpan EstimatedRemaining { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        string valid = ValidationLoss is null ? "" : $" | val loss {ValidationLoss:F4} {MetricName} {ValidationMetric:F4}";
        return $"epoch {Epoch}/{TotalEpochs} batch {Batch}/{BatchesPerEpoch} | loss {TrainLoss:F4}{valid} | {SamplesPerSecond:F0} samples/s | {Elapsed:hh\\:mm\\:ss} elapsed, ETA {EstimatedRemaining:hh\\:mm\\:ss}";
    }
}
