namespace MLNet.Recurrent;

/// <summary>What an estimator trains on: its batch sources and its objective (see <see cref="TrainingRun.Train{TModel, TBatch}"/>).</summary>
/// <param name="Train">Training batches.</param>
/// <param name="Validation">Validation batches, or null.</param>
/// <param name="Objective">The loss and metric.</param>
/// <param name="LearningRateFactor">Per-parameter learning-rate factors by name and epoch (<see cref="TrainingSettings.LearningRateFactor"/>), or null.</param>
internal sealed record TrainingPlan<TBatch>(IBatchSource<TBatch> Train, IBatchSource<TBatch>? Validation, ITrainingObjective<TBatch> Objective,
    Func<string, int, double>? LearningRateFactor = null)
    where TBatch : IDisposable;
