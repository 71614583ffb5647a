using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>Multiclass classification: K logits, cross-entropy, accuracy. Targets are 0-based class indices (key value − 1).</summary>
internal sealed class MulticlassHead : ISequenceHead
{
    public MulticlassHead(int classes) => Outputs = classes;

    public int Outputs { get; }

    public string MetricName => "accuracy";

    public Tensor RowLoss(Tensor scores, Tensor targets) =>
        nn.functional.cross_entropy(scores, targets.to(ScalarType.Int64), reduction: nn.Reduction.None);

    public void Accumulate(Tensor scores, Tensor targets, Tensor? weights, MetricAccumulator metrics)
    {
        Tensor correct = scores.argmax(1).eq(targets.to(ScalarType.Int64)).to(ScalarType.Float32);
        HeadMath.AddWeighted(correct, weights, metrics);
    }

    public double Metric(MetricAccumulator metrics) => metrics.MetricSum / Math.Max(1e-12, metrics.MetricWeight);
}
