using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Next-token cross-entropy (nats per predicted token) for the <see cref="TrainingLoop{TBatch}"/>. Carries the
/// recurrent state between consecutive batches that continue each other (<see cref="LanguageModelBatch.CarriesState"/>),
/// detached from the previous batch's graph; every pass starts from the initial state. Metric: bits per token.
/// </summary>
internal sealed class LanguageModelObjective : ITrainingObjective<LanguageModelBatch>, IDisposable
{
    private readonly RecurrentLanguageModel model;
    private Tensor? carried;

    public LanguageModelObjective(RecurrentLanguageModel model) => this.model = model;

    public string MetricName => "bits/token";

    /// <summary>Total log-likelihood (nats) of every prediction of the current pass, for tests and evaluation.</summary>
    public double PassLogLikelihood { get; private set; }

    public void BeginPass(bool training)
    {
        ResetState();
        PassLogLikelihood = 0;
    }

    public Tensor Loss(LanguageModelBatch batch, MetricAccumulator metrics)
    {
        Tensor? state = batch.CarriesState ? carried : null;
        var (logits, next) = model.call(batch.Inputs, state);
        long vocabulary = logits.shape[^1];
        Tensor loss = nn.functional.cross_entropy(logits.reshape(-1, vocabulary), batch.Targets.reshape(-1), ignore_index: 0);
        ResetState();
        carried = next.detach().DetachFromDisposeScope();

        double mean = loss.item<float>();
        metrics.LossSum += mean * batch.TokenCount;
        metrics.LossWeight += batch.TokenCount;
        metrics.Samples += batch.TokenCount;
        PassLogLikelihood -= mean * batch.TokenCount;
        return loss;
    }

    public double Metric(MetricAccumulator metrics) => metrics.MeanLoss / Math.Log(2);

    public void Dispose() => ResetState();

    private void ResetState()
    {
        carried?.Dispose();
        carried = null;
    }
}
