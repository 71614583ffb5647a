using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>Regression: one output, mean squared error loss, RMSE metric.</summary>
internal sealed class RegressionHead : ISequenceHead
{
    private readonly double targetScale;

    /// <summary>Creates the head; <paramref name="targetScale"/> is the factor by which targets were divided (standardization), so the reported RMSE is in the label's units.</summary>
    public RegressionHead(double targetScale = 1) => this.targetScale = targetScale;

    public int Outputs => 1;

    public string MetricName => "rmse";

    public Tensor RowLoss(Tensor scores, Tensor targets) =>
        nn.functional.mse_loss(scores.squeeze(1), targets, reduction: nn.Reduction.None);

    public void Accumulate(Tensor scores, Tensor targets, Tensor? weights, MetricAccumulator metrics) =>
        HeadMath.AddWeighted(scores.squeeze(1).sub(targets).square(), weights, metrics);

    public double Metric(MetricAccumulator metrics) => targetScale * Math.Sqrt(metrics.MetricSum / Math.Max(1e-12, metrics.MetricWeight));
}
