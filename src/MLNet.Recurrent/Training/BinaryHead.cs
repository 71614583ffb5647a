using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>Binary classification: one logit, binary cross-entropy, accuracy at probability 0.5.</summary>
internal sealed class BinaryHead : ISequenceHead
{
    public int Outputs => 1;

    public string MetricName => "accuracy";

    public Tensor RowLoss(Tensor scores, Tensor targets) =>
        nn.functional.binary_cross_entropy_with_logits(scores.squeeze(1), targets, reduction: nn.Reduction.None);

    public void Accumulate(Tensor scores, Tensor targets, Tensor? weights, MetricAccumulator metrics)
    {
        Tensor correct = scores.squeeze(1).gt(0).to(ScalarType.Float32).eq(targets).to(ScalarType.Float32);
        HeadMath.AddWeighted(correct, weights, metrics);
    }

    public double Metric(MetricAccumulator metrics) => metrics.MetricSum / Math.Max(1e-12, metrics.MetricWeight);
}
