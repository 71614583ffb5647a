using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Next-token cross-entropy (nats per predicted token) for the <see cref="TrainingLoop{TBatch}"/>. Carries the
/// recurrent state between consecutive batches that continue each other (<see cref="LanguageModelBatch.CarriesState"/>),
/// detached from the previous batch's graph; every pass starts from the initial state. Data-parallel parts of a batch
/// (<see cref="LanguageModelBatch.Split"/>) run on worker threads at the same time, each carrying the state of its own
/// rows (kept by <see cref="LanguageModelBatch.FirstRow"/>). Dropout is applied from epoch
/// <see cref="LanguageModelOptions.DropoutStartEpoch"/> on. Metric: bits per token.
/// </summary>
internal sealed class LanguageModelObjective : ITrainingObjective<LanguageModelBatch>, IDisposable
{
    private readonly RecurrentLanguageModel model;
    private readonly int dropoutStartEpoch;
    private readonly Action<string>? log;
    private readonly object gate = new();
    // The state after each part's last batch, by the part's first row (0 alone when batches run whole).
    private readonly Dictionary<int, Tensor> carried = new();

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
    public double PassLogLikelihood
    {
        get { lock (gate) return passLogLikelihood; }
    }

    private double passLogLikelihood;

    public void BeginPass(bool training, int epoch)
    {
        if (training)
        {
            bool on = epoch >= dropoutStartEpoch;
            if (on && !model.DropoutActive && model.Architecture.Dropout > 0)
                log?.Invoke($"Epoch {epoch}: dropout {model.Architecture.Dropout} turns on ({nameof(LanguageModelOptions.DropoutStartEpoch)}).");
            model.DropoutActive = on;
        }
        lock (gate)
        {
            ResetState();
            passLogLikelihood = 0;
        }
    }

    public Tensor Loss(LanguageModelBatch batch, MetricAccumulator metrics)
    {
        Tensor? state = null;
        if (batch.CarriesState)
        {
            lock (gate)
                carried.TryGetValue(batch.FirstRow, out state);
            if (state is not null && state.shape[2] != batch.Rows)
                throw new InvalidOperationException(
                    $"The carried state holds {state.shape[2]} rows but the batch starting at row {batch.FirstRow} has {batch.Rows}: consecutive batches must be cut into the same parts.");
        }
        var (logits, next) = model.call(batch.Inputs, state);
        long vocabulary = logits.shape[^1];
        Tensor loss = nn.functional.cross_entropy(logits.reshape(-1, vocabulary), batch.Targets.reshape(-1), ignore_index: 0);
        Tensor after = next.detach().DetachFromDisposeScope();
        double mean = loss.item<float>();
        lock (gate)
        {
            if (carried.Remove(batch.FirstRow, out Tensor? previous))
                previous.Dispose();
            carried[batch.FirstRow] = after;
            passLogLikelihood -= mean * batch.TokenCount;
        }

        metrics.LossSum += mean * batch.TokenCount;
        metrics.LossWeight += batch.TokenCount;
        metrics.Samples += batch.TokenCount;
        return loss;
    }

    public double Metric(MetricAccumulator metrics) => metrics.MeanLoss / Math.Log(2);

    public void Dispose()
    {
        lock (gate)
            ResetState();
    }

    private void ResetState()
    {
        foreach (Tensor state in carried.Values)
            state.Dispose();
        carried.Clear();
    }
}
