using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>Runs a sequence model on a <see cref="SequenceBatch"/> and scores it with the task's loss and metric: weighted mean loss.</summary>
internal sealed class SequenceObjective : ITrainingObjective<SequenceBatch>
{
    private readonly nn.Module<Tensor, Tensor, Tensor> model;
    private readonly PredictionTask task;

    public SequenceObjective(nn.Module<Tensor, Tensor, Tensor> model, PredictionTask task)
    {
        this.model = model;
        this.task = task;
    }

    public string MetricName => task.MetricName;

    public void BeginPass(bool training, int epoch)
    {
    }

    public Tensor Loss(SequenceBatch batch, MetricAccumulator metrics)
    {
        Tensor scores = model.call(batch.Tokens, batch.Lengths);
        Tensor targets = batch.Targets ?? throw new InvalidOperationException("A training batch needs targets.");
        Tensor rowLoss = task.RowLoss(scores, targets);
        Tensor loss;
        double weightSum;
        if (batch.Weights is null)
        {
            loss = rowLoss.mean();
            weightSum = batch.Count;
        }
        else
        {
            Tensor w = batch.Weights;
            weightSum = w.sum().item<float>();
            using Scalar total = Math.Max(1e-12, weightSum).ToScalar();
            loss = (rowLoss * w).sum().div(total);
        }
        metrics.LossSum += loss.item<float>() * weightSum;
        metrics.LossWeight += weightSum;
        metrics.Samples += batch.Count;
        using (no_grad())
            task.Accumulate(scores.detach(), targets, batch.Weights, metrics);
        return loss;
    }

    public double Metric(MetricAccumulator metrics) => task.Metric(metrics);
}
