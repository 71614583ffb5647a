namespace MLNet.Recurrent.Benchmarks;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls back synchronously on the training thread (the BCL's <c>Progress&lt;T&gt;</c>
/// posts to the thread pool, so its reports could arrive after <c>Fit</c> returns).
/// </summary>
public sealed class ProgressCallback(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    /// <inheritdoc />
    public void Report(TrainingProgress value) => report(value);
}

/// <summary>A row with one text column, for <c>LoadFromEnumerable</c>.</summary>
public sealed class TextRow
{
    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}
