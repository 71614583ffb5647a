namespace MLNet.Recurrent;

/// <summary>The optimisation settings the <see cref="TrainingLoop{TBatch}"/> needs, independent of any task's options class.</summary>
internal sealed record TrainingSettings
{
    public int NumberOfEpochs { get; init; } = 5;
    public double LearningRate { get; init; } = 1e-3;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double WeightDecay { get; init; }
    public double Momentum { get; init; } = 0.9;
    public double AdamBeta1 { get; init; } = 0.9;
    public double AdamBeta2 { get; init; } = 0.999;
    public double GradientClipNorm { get; init; }
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;
    public double StepDecayFactor { get; init; } = 0.5;
    /// <summary>Batches at the start of training over which the scheduled rate is scaled up linearly (batch k of n gets k/n of it); 0 = none.</summary>
    public int WarmupSteps { get; init; }
    /// <summary>Epochs without validation-loss improvement before stopping; 0 disables early stopping.</summary>
    public int EarlyStoppingPatience { get; init; }
    public bool RestoreBestWeights { get; init; } = true;
    /// <summary>Wall-clock budget: training ends after the batch during which it ran out (that epoch still validates); null = none. Decaying schedules follow it when it ends first.</summary>
    public TimeSpan? TimeLimit { get; init; }
    public IProgress<TrainingProgress>? Progress { get; init; }
    public CancellationToken CancellationToken { get; init; }
    /// <summary>Extra cancellation check (ML.NET's <c>IHost.CheckAlive</c>, raised by <c>MLContext.CancelExecution()</c>).</summary>
    public Action? CheckAlive { get; init; }
    public Action<string>? Log { get; init; }
    /// <summary>
    /// Per-parameter learning-rate factor by parameter name and 1-based epoch (1 = the scheduled rate, 0 = the parameter
    /// does not move that epoch), or null for 1 everywhere: discriminative rates and gradual unfreezing of pretrained layers.
    /// </summary>
    public Func<string, int, double>? LearningRateFactor { get; init; }
    /// <summary>
    /// Data-parallel workers on the CPU: with 2 or more, and a batch source that can split its batches
    /// (<see cref="ISplittableBatchSource{TBatch}"/>), every batch is cut into this many parts that run forward and
    /// backward side by side, each on one intra-op thread, and their gradients are summed (weighted as the whole batch's
    /// mean loss). 1 (default) = every batch on the calling thread.
    /// </summary>
    public int Workers { get; init; } = 1;
}
