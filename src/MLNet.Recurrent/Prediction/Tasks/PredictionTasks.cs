namespace MLNet.Recurrent;

/// <summary>
/// The one registry of prediction tasks, used by fitting (which task reads the label), the output schema and loading
/// (the task saved in a model). Adding a task: its <see cref="PredictionTask"/> subclass, one entry here, its
/// <see cref="RecurrentTask"/> value and its catalog method.
/// </summary>
internal static class PredictionTasks
{
    private static readonly PredictionTask[] All =
    [
        new BinaryClassificationTask(),
        new MulticlassClassificationTask(),
        new RegressionTask(),
    ];

    /// <summary>The task of kind <paramref name="kind"/>, not yet configured for a label.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a registered task.</exception>
    public static PredictionTask Get(RecurrentTask kind) =>
        Find(kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown task; the tasks are {string.Join(", ", All.Select(t => t.Kind))}.");

    /// <summary>The task of kind <paramref name="kind"/>, or null when there is none (e.g. a damaged model).</summary>
    public static PredictionTask? Find(RecurrentTask kind) => All.FirstOrDefault(t => t.Kind == kind);
}
