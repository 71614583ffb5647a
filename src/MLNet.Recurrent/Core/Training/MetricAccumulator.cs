namespace MLNet.Recurrent;

/// <summary>Running sums over one pass: loss (weighted), sample count and a task-defined metric numerator/denominator.</summary>
internal sealed class MetricAccumulator
{
    /// <summary>Sum of per-sample loss × weight.</summary>
    public double LossSum { get; set; }

    /// <summary>Sum of the weights the loss was averaged over.</summary>
    public double LossWeight { get; set; }

    /// <summary>Task metric numerator (e.g. correct predictions, squared error).</summary>
    public double MetricSum { get; set; }

    /// <summary>Task metric denominator (e.g. rows, characters).</summary>
    public double MetricWeight { get; set; }

    /// <summary>Samples (rows or tokens) seen.</summary>
    public long Samples { get; set; }

    /// <summary>Adds <paramref name="other"/>'s sums to these (a batch scored in parts).</summary>
    public void Add(MetricAccumulator other)
    {
        LossSum += other.LossSum;
        LossWeight += other.LossWeight;
        MetricSum += other.MetricSum;
        MetricWeight += other.MetricWeight;
        Samples += other.Samples;
    }

    /// <summary>Mean loss, or NaN before any sample.</summary>
    public double MeanLoss => LossWeight > 0 ? LossSum / LossWeight : double.NaN;
}
