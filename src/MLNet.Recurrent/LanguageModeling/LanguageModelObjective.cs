using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Next-token cross-entropy (nats per predicted token) for the <see cref="TrainingLoop{TBatch}"/>. Carries the
/// recurrent state between consecutive batches that continue each other (<see cref="LanguageModelBatch.CarriesState"/>),
/// detached from the previous batch's graph; every pass starts from the initial state. Dropout is applied from epoch
/// <see cref="LanguageModelOptions.DropoutStartEpoch"/> on. Metric: bits per token.
/// </summary>
internal sealed class LanguageModelObjective : ITrainingObjective<LanguageModelBatch>, IDisposable
{
    private readonly RecurrentLanguageModel model;
    private readonly int dropoutStartEpoch;
    private readonly Action<string>? log;
    private Tensor? carried;

    /// <param name="model">The network to train.</param>
    /// <param name="dropoutStartEpoch">The first epoch (1-based) trained with the model's dropout; 1 = every epoch.</param>
    /// <param name="log">Receives one line when dropout turns on after the first epoch.</param>
    public LanguageModelObjective(RecurrentLanguageModel model, int dropoutStartEpoch = 1, Action<string>? log = null)
    {
        this.model = model;
        this.dropoutStartEpoch = dropoutStartEpoch;
        this.log = log;
    }

    public string MetricName => "bits/token";

    /// <summary>Total log-likelihood (nats) of every prediction of the current pass, for tests and evaluation.</summary>
    public double PassLogLikelihood { get; private set; }

    public void BeginPass(bool training, int epoch)
    {
        if (training)
        {
            bool on = epoch >= dropoutStartEpoch;
            if (on && !model.DropoutActive && model.Architecture.Dropout > 0)
                log?.Invoke($"Epoch {epoch}: dropout {model.Architecture.Dropout} turns on ({nameof(LanguageModelOptions.DropoutStartEpoch)}).");
            model.DropoutActive = on;
        }
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
