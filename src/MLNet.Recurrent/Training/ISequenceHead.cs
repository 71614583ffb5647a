using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// The task-specific end of a sequence model: how raw network outputs become a loss and a metric. One small class
/// per task (binary, multiclass, regression); adding a task is adding one.
/// </summary>
internal interface ISequenceHead
{
    /// <summary>Network outputs per row (1 for binary and regression, K for K classes).</summary>
    int Outputs { get; }

    /// <summary>Name of the validation metric.</summary>
    string MetricName { get; }

    /// <summary>Per-row loss, shape [B] (unreduced).</summary>
    Tensor RowLoss(Tensor scores, Tensor targets);

    /// <summary>Adds the batch's metric numerator/denominator to <paramref name="metrics"/>.</summary>
    void Accumulate(Tensor scores, Tensor targets, Tensor? weights, MetricAccumulator metrics);

    /// <summary>The metric from accumulated sums.</summary>
    double Metric(MetricAccumulator metrics);
}
