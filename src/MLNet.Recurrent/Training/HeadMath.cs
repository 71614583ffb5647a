using static TorchSharp.torch;

namespace MLNet.Recurrent;

internal static class HeadMath
{
    /// <summary>Adds Σ wᵢ·valueᵢ and Σ wᵢ (wᵢ = 1 without weights) to the metric sums.</summary>
    public static void AddWeighted(Tensor values, Tensor? weights, MetricAccumulator metrics)
    {
        if (weights is null)
        {
            metrics.MetricSum += values.sum().item<float>();
            metrics.MetricWeight += values.shape[0];
        }
        else
        {
            metrics.MetricSum += (values * weights).sum().item<float>();
            metrics.MetricWeight += weights.sum().item<float>();
        }
    }
}
