namespace MLNet.Recurrent;

/// <summary>What an estimator trains on: its batch sources and its objective (see <see cref="TrainingRun.Train{TModel, TBatch}"/>).</summary>
internal sealed record TrainingPlan<TBatch>(IBatchSource<TBatch> Train, IBatchSource<TBatch>? Validation, ITrainingObjective<TBatch> Objective)
    where TBatch : IDisposable;
