namespace MLNet.Recurrent;

/// <summary>What a run of the <see cref="TrainingLoop{TBatch}"/> did.</summary>
internal sealed record TrainingResult(int EpochsRun, int BestEpoch, double? BestValidationLoss, IReadOnlyList<TrainingProgress> History, bool StoppedEarly);
