using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// The task-specific part of training: runs the network on a batch and returns the loss to minimise, adding the
/// batch's loss and metric to an accumulator. The <see cref="TrainingLoop{TBatch}"/> does everything else.
/// </summary>
internal interface ITrainingObjective<in TBatch>
{
    /// <summary>Name of the validation metric reported in progress (e.g. "accuracy", "rmse", "bpc").</summary>
    string MetricName { get; }

    /// <summary>
    /// Called before every pass over the training or validation batches (e.g. to reset carried hidden state), with the
    /// 1-based epoch of a training pass (0 for a pass that only evaluates).
    /// </summary>
    void BeginPass(bool training, int epoch);

    /// <summary>Forward pass; returns the (weighted) mean loss of the batch as a scalar tensor.</summary>
    Tensor Loss(TBatch batch, MetricAccumulator metrics);

    /// <summary>The metric over everything accumulated.</summary>
    double Metric(MetricAccumulator metrics);
}
