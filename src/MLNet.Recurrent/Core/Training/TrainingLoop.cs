using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// The one training loop shared by every task: epochs of shuffled batches from an <see cref="IBatchSource{TBatch}"/>,
/// loss from an <see cref="ITrainingObjective{TBatch}"/>, optimizer / clipping / learning-rate schedule, validation,
/// early stopping with best-weight restore, progress, cancellation. Every batch runs inside a dispose scope, so
/// native memory does not grow with the number of batches or epochs.
/// </summary>
internal sealed class TrainingLoop<TBatch> where TBatch : IDisposable
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private readonly nn.Module module;
    private readonly IBatchSource<TBatch> train;
    private readonly IBatchSource<TBatch>? validation;
    private readonly ITrainingObjective<TBatch> objective;
    private readonly TrainingSettings settings;
    private readonly Stopwatch clock = new();
    private readonly Stopwatch epochClock = new();
    private int globalBatch;
    private double learningRate;

    public TrainingLoop(nn.Module module, IBatchSource<TBatch> train, IBatchSource<TBatch>? validation, ITrainingObjective<TBatch> objective, TrainingSettings settings)
    {
        this.module = module;
        this.train = train;
        this.validation = validation;
        this.objective = objective;
        this.settings = settings;
        learningRate = settings.LearningRate;
    }

    /// <summary>A loss this many times the first batch's (or 1, whichever is larger) means training diverged.</summary>
    internal const double DivergenceFactor = 1e8;

    private double? firstLoss;

    /// <summary>The divergence error: where (epoch, 1-based batch), what, and the likely cause.</summary>
    private InvalidOperationException Diverged(int epoch, int batchIndex, string what) => new(
        $"Training diverged in epoch {epoch}, batch {batchIndex + 1}: {what}. The likely cause is a learning rate too high for this " +
        $"model and data (LearningRate is {settings.LearningRate:G4}; the trainers' default is 0.001): lower it" +
        (settings.GradientClipNorm > 0 ? "." : ", or set GradientClipNorm (default 1) to clip the gradients."));

    private int TotalBatches => Math.Max(1, train.BatchesPerEpoch * settings.NumberOfEpochs);

    public TrainingResult Run()
    {
        var named = module.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var parameters = named.Select(p => p.parameter).ToList();
        using TrainingOptimizer optimizer = TrainingOptimizer.Create(settings, parameters);
        var history = new List<TrainingProgress>();
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0, epochsRun = 0, sinceBest = 0;
        bool stoppedEarly = false;
        Dictionary<string, Tensor>? bestState = null;
        clock.Restart();
        CreatePartGenerators(parameters);
        // Data-parallel workers run one intra-op thread each; this thread (optimizer steps, validation) does too, as the
        // cores are theirs, and setting the count back and forth per batch slows libtorch (see TorchWorkers).
        using IntraOpThreads threads = partGenerators is not null ? IntraOpThreads.Use(1) : default;

        try
        {
            for (int epoch = 1; epoch <= settings.NumberOfEpochs; epoch++)
            {
                if (settings.LearningRateFactor is { } factor)
                    optimizer.SetFactors(named.Select(p => factor(p.name, epoch)).ToArray());
                TrainingProgress end = TrainEpoch(epoch, optimizer, parameters);
                epochsRun = epoch;
                history.Add(end);
                settings.Progress?.Report(end);
                settings.Log?.Invoke(end.ToString());

                bool outOfTime = TimeIsUp();
                if (outOfTime)
                    settings.Log?.Invoke($"Stopping after epoch {epoch}: the training time limit of {settings.TimeLimit} was reached.");

                if (end.ValidationLoss is double loss)
                {
                    if (loss < bestLoss)
                    {
                        bestLoss = loss;
                        bestEpoch = epoch;
                        sinceBest = 0;
                        if (settings.EarlyStoppingPatience > 0 && settings.RestoreBestWeights)
                            bestState = CopyState(bestState);
                    }
                    else if (settings.EarlyStoppingPatience > 0 && ++sinceBest >= settings.EarlyStoppingPatience)
                    {
                        stoppedEarly = epoch < settings.NumberOfEpochs;
                        settings.Log?.Invoke($"Early stopping after epoch {epoch}: validation loss has not improved for {sinceBest} epoch(s); best was {bestLoss:F4} at epoch {bestEpoch}.");
                        break;
                    }
                }
                if (outOfTime)
                    break;
            }

            if (bestState is not null && bestEpoch != epochsRun)
            {
                RestoreState(bestState);
                settings.Log?.Invoke($"Restored the weights of epoch {bestEpoch} (best validation loss {bestLoss:F4}).");
            }
        }
        finally
        {
            if (bestState is not null)
                foreach (Tensor t in bestState.Values) t.Dispose();
            DisposePartGenerators();
        }

        module.eval();
        return new TrainingResult(epochsRun, bestEpoch == 0 ? epochsRun : bestEpoch, double.IsFinite(bestLoss) ? bestLoss : null, history, stoppedEarly);
    }

    private TrainingProgress TrainEpoch(int epoch, TrainingOptimizer optimizer, List<Parameter> parameters)
    {
        ThrowIfCancelled();
        module.train();
        objective.BeginPass(training: true, epoch);
        var stats = new MetricAccumulator();
        epochClock.Restart();
        TimeSpan lastReport = TimeSpan.Zero;
        int batchIndex = 0;

        foreach (TBatch batch in train.Batches(epoch, shuffle: true))
        {
            using (NewDisposeScope())
            using (batch)
            {
                ThrowIfCancelled();
                learningRate = ScheduledRate(epoch);
                optimizer.LearningRate = learningRate;
                TBatch[] parts = Split(batch);
                if (parts.Length > 1)
                {
                    GradientsInParts(parts, stats, parameters, epoch, batchIndex);
                }
                else
                {
                    optimizer.ZeroGrad();
                    Tensor loss = objective.Loss(batch, stats);
                    CheckLoss(loss.item<float>(), epoch, batchIndex);
                    loss.backward();
                }
                double norm = optimizer.Step(settings.GradientClipNorm);
                if (!double.IsFinite(norm))
                    throw Diverged(epoch, batchIndex, $"the gradients became {norm}");
            }
            batchIndex++;
            globalBatch++;
            if (settings.Progress is not null && epochClock.Elapsed - lastReport >= ProgressInterval)
            {
                lastReport = epochClock.Elapsed;
                settings.Progress.Report(Snapshot(epoch, batchIndex, false, stats, null, null));
            }
            if (TimeIsUp())
                break;
        }
        epochClock.Stop();
        using (NewDisposeScope())
        {
            using var noGrad = no_grad();
            if (parameters.Any(p => !p.isfinite().all().item<bool>()))
                throw Diverged(epoch, batchIndex - 1, "the weights became NaN or infinite");
        }

        double? validLoss = null, validMetric = null;
        if (validation is not null && validation.RowCount > 0)
        {
            var v = Evaluate(module, validation, objective, ThrowIfCancelled);
            validLoss = v.MeanLoss;
            validMetric = objective.Metric(v);
        }
        return Snapshot(epoch, batchIndex, true, stats, validLoss, validMetric);
    }

    private void CheckLoss(float value, int epoch, int batchIndex)
    {
        if (!float.IsFinite(value))
            throw Diverged(epoch, batchIndex, $"the loss became {value}");
        firstLoss ??= value;
        if (value > DivergenceFactor * Math.Max(1.0, firstLoss.Value))
            throw Diverged(epoch, batchIndex, $"the loss grew from {firstLoss.Value:G4} (first batch) to {value:G4}");
    }

    /// <summary>The parts a batch runs in on <see cref="TrainingSettings.Workers"/> workers, or none (run it whole).</summary>
    private TBatch[] Split(TBatch batch) =>
        settings.Workers > 1 && train is ISplittableBatchSource<TBatch> splittable ? splittable.Split(batch, settings.Workers) : Array.Empty<TBatch>();

    /// <summary>
    /// Data parallelism: runs forward and backward of each part on its own worker (one intra-op thread each, dropout from
    /// the part's own generator), then sets every parameter's gradient to the parts' gradients weighted by their share of
    /// the batch's loss weight — the gradient of the whole batch's weighted mean loss. The sum runs on this thread in part
    /// order, so the same seed gives the same model.
    /// </summary>
    private void GradientsInParts(TBatch[] parts, MetricAccumulator stats, IReadOnlyList<Parameter> parameters, int epoch, int batchIndex)
    {
        var grads = new Tensor[parts.Length][];
        var partStats = new MetricAccumulator[parts.Length];
        try
        {
            TorchWorkers.Run(parts.Length, k =>
            {
                using var random = TrainingRandomness.Use(partGenerators![k]);
                using var scope = NewDisposeScope();
                var metrics = new MetricAccumulator();
                Tensor loss = objective.Loss(parts[k], metrics);
                IList<Tensor> partGrads = autograd.grad(new[] { loss }, gradientInputs!);
                grads[k] = partGrads.Select(g => g.DetachFromDisposeScope()).ToArray();
                partStats[k] = metrics;
            });
            double total = partStats.Sum(m => m.LossWeight);
            CheckLoss(total > 0 ? (float)(partStats.Sum(m => m.LossSum) / total) : 0f, epoch, batchIndex);
            using (no_grad())
            {
                for (int j = 0; j < parameters.Count; j++)
                {
                    Tensor? sum = null;
                    for (int k = 0; k < parts.Length; k++)
                    {
                        using Scalar share = (total > 0 ? partStats[k].LossWeight / total : 0.0).ToScalar();
                        sum = sum is null ? grads[k][j].mul(share) : sum.add(grads[k][j], share);
                    }
                    parameters[j].grad = sum;
                }
            }
            foreach (MetricAccumulator m in partStats)
                stats.Add(m);
        }
        finally
        {
            foreach (Tensor[]? partGrads in grads)
                if (partGrads is not null)
                    foreach (Tensor g in partGrads) g.Dispose();
            foreach (TBatch part in parts)
                part.Dispose();
        }
    }

    /// <summary>
    /// The generator each data-parallel part draws its dropout from: part 0 the training's own, part k a generator seeded
    /// from the training's seed and k; null outside a training run (libtorch's process-wide generator) or without workers.
    /// </summary>
    private Generator?[]? partGenerators;

    /// <summary>The trained parameters as <c>autograd.grad</c> takes them (data-parallel runs only).</summary>
    private IList<Tensor>? gradientInputs;

    private void CreatePartGenerators(IEnumerable<Parameter> parameters)
    {
        if (settings.Workers <= 1 || train is not ISplittableBatchSource<TBatch>)
            return;
        gradientInputs = parameters.Cast<Tensor>().ToList();
        Generator? main = TrainingRandomness.Current;
        partGenerators = new Generator?[settings.Workers];
        settings.Log?.Invoke($"Training data-parallel: each batch runs in up to {settings.Workers} parts side by side, one libtorch thread each.");
        partGenerators[0] = main;
        for (int k = 1; k < partGenerators.Length; k++)
            partGenerators[k] = main is null ? null : new Generator(unchecked((ulong)main.initial_seed() * 0x9E3779B97F4A7C15UL + (ulong)k));
    }

    private void DisposePartGenerators()
    {
        if (partGenerators is null)
            return;
        for (int k = 1; k < partGenerators.Length; k++)
            partGenerators[k]?.Dispose();
        partGenerators = null;
    }

    /// <summary>One pass over <paramref name="source"/> without gradients; returns the accumulated loss and metric.</summary>
    public static MetricAccumulator Evaluate(nn.Module module, IBatchSource<TBatch> source, ITrainingObjective<TBatch> objective, Action? checkCancelled = null)
    {
        module.eval();
        objective.BeginPass(training: false, epoch: 0);
        var stats = new MetricAccumulator();
        using (no_grad())
        {
            foreach (TBatch batch in source.Batches(0, shuffle: false))
            {
                using (NewDisposeScope())
                using (batch)
                {
                    checkCancelled?.Invoke();
                    objective.Loss(batch, stats);
                }
            }
        }
        return stats;
    }

    private TrainingProgress Snapshot(int epoch, int batchIndex, bool isEnd, MetricAccumulator stats, double? validLoss, double? validMetric)
    {
        double done = Math.Min(1.0, (double)globalBatch / TotalBatches);
        TimeSpan now = clock.Elapsed;
        double elapsed = now.TotalSeconds;
        double remaining = done > 0 ? elapsed * (1 - done) / done : 0;
        // With a time limit, training ends when it runs out if that comes before the last epoch.
        if (settings.TimeLimit is { } limit)
            remaining = Math.Min(remaining, Math.Max(0, limit.TotalSeconds - elapsed));
        return new TrainingProgress
        {
            Epoch = epoch,
            TotalEpochs = settings.NumberOfEpochs,
            Batch = batchIndex,
            BatchesPerEpoch = train.BatchesPerEpoch,
            IsEpochEnd = isEnd,
            TrainLoss = stats.MeanLoss,
            ValidationLoss = validLoss,
            ValidationMetric = validMetric,
            MetricName = objective.MetricName,
            LearningRate = learningRate,
            SamplesPerSecond = stats.Samples / Math.Max(1e-9, epochClock.Elapsed.TotalSeconds),
            Elapsed = now,
            EstimatedRemaining = TimeSpan.FromSeconds(remaining),
        };
    }

    private double ScheduledRate(int epoch)
    {
        // At most 1: a batch source that reads more batches than it announced must not drive the rate below 0.
        double progress = Math.Min(1.0, (double)globalBatch / TotalBatches);
        // With a time limit, decaying schedules reach 0 when the budget runs out if that comes before the last epoch.
        if (settings.TimeLimit is { } limit)
            progress = Math.Max(progress, Math.Min(1.0, clock.Elapsed / limit));
        double rate = settings.Schedule switch
        {
            LearningRateSchedule.LinearDecay => settings.LearningRate * (1 - progress),
            LearningRateSchedule.Cosine => settings.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            LearningRateSchedule.StepDecay => settings.LearningRate * Math.Pow(settings.StepDecayFactor, epoch - 1),
            _ => settings.LearningRate,
        };
        return rate * WarmupFactor(globalBatch, settings.WarmupSteps);
    }

    /// <summary>Linear warm-up: the batch with 0-based index <paramref name="batch"/> gets (batch + 1) / <paramref name="warmupSteps"/> of the scheduled rate while that is below 1.</summary>
    internal static double WarmupFactor(long batch, int warmupSteps) =>
        warmupSteps <= 0 || batch >= warmupSteps ? 1.0 : (batch + 1.0) / warmupSteps;

    private bool TimeIsUp() => settings.TimeLimit is { } limit && clock.Elapsed >= limit;

    private void ThrowIfCancelled()
    {
        settings.CancellationToken.ThrowIfCancellationRequested();
        settings.CheckAlive?.Invoke();
    }

    private Dictionary<string, Tensor> CopyState(Dictionary<string, Tensor>? previous)
    {
        if (previous is not null)
            foreach (Tensor t in previous.Values) t.Dispose();
        var copy = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, tensor) in module.state_dict())
                copy[name] = tensor.detach().clone().DetachFromDisposeScope();
        }
        return copy;
    }

    private void RestoreState(Dictionary<string, Tensor> state)
    {
        using (no_grad())
        {
            foreach (var (name, tensor) in module.state_dict())
                tensor.copy_(state[name]);
        }
    }
}
