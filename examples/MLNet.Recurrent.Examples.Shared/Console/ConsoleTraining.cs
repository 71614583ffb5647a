using System.Diagnostics;
using Spectre.Console;

namespace MLNet.Recurrent.Examples;

/// <summary>
/// Training with a Spectre.Console progress bar: the library's <see cref="TrainingProgress"/> reports move the bar and
/// its description, every finished epoch prints one line, and everything is recorded in a <see cref="TrainingCurve"/>.
/// </summary>
public static class ConsoleTraining
{
    /// <summary>
    /// Runs <paramref name="fit"/> with a progress bar. <paramref name="fit"/> gets the <see cref="IProgress{T}"/> to put
    /// into the trainer's options and returns the fitted model.
    /// </summary>
    /// <param name="title">Name of the model (progress bar and legend).</param>
    /// <param name="fit">The training call.</param>
    /// <param name="timeBudget">The training time limit, when there is one: the bar then also moves with the clock.</param>
    /// <param name="lossUnit">Turns the reported loss (nats) into what is shown, e.g. bits: <c>l =&gt; l / Math.Log(2)</c>. Default: as reported.</param>
    public static (T Model, TrainingCurve Curve) Fit<T>(string title, Func<IProgress<TrainingProgress>, T> fit, TimeSpan? timeBudget = null, Func<double, double>? lossUnit = null)
    {
        var curve = new TrainingCurve(title);
        var clock = Stopwatch.StartNew();
        T model = default!;
        NewProgress().Start(ctx =>
        {
            ProgressTask task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
            model = fit(new Reporter(task, curve, title, timeBudget, lossUnit ?? (l => l)));
            task.Value = task.MaxValue;
        });
        curve.Elapsed = clock.Elapsed;
        return (model, curve);
    }

    /// <summary>
    /// A hand-written training loop with a progress bar: calls <paramref name="step"/> for steps 1..<paramref name="steps"/>;
    /// it returns the step's loss, which the bar shows.
    /// </summary>
    public static void Loop(string title, int steps, Func<int, double> step)
    {
        NewProgress().Start(ctx =>
        {
            ProgressTask task = ctx.AddTask(Markup.Escape(title), maxValue: steps);
            for (int i = 1; i <= steps; i++)
            {
                double loss = step(i);
                task.Value = i;
                task.Description = $"{Markup.Escape(title)} [grey]loss {loss:F4}[/]";
            }
        });
    }

    /// <summary>
    /// Any long-running work with a progress bar: <paramref name="work"/> gets a callback to report the fraction done
    /// (0–1) and a short status text.
    /// </summary>
    public static void Run(string title, Action<Action<double, string>> work)
    {
        NewProgress().Start(ctx =>
        {
            ProgressTask task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
            work((done, status) =>
            {
                task.Value = Math.Clamp(done, 0, 1);
                task.Description = $"{Markup.Escape(title)} [grey]{Markup.Escape(status)}[/]";
            });
            task.Value = task.MaxValue;
        });
    }

    private static Progress NewProgress() => AnsiConsole.Progress()
        .AutoClear(false)
        .HideCompleted(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn());

    private sealed class Reporter(ProgressTask task, TrainingCurve curve, string title, TimeSpan? budget, Func<double, double> unit) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            curve.Add(p);
            double done = p.TotalEpochs == 0 ? 0 : (p.Epoch - 1 + (p.BatchesPerEpoch == 0 ? 0 : (double)p.Batch / p.BatchesPerEpoch)) / p.TotalEpochs;
            if (budget is TimeSpan b)
                done = Math.Max(done, p.Elapsed / b);
            task.Value = Math.Min(done, 1.0);
            string name = Markup.Escape(title);
            task.Description = $"{name} [grey]epoch {p.Epoch}/{p.TotalEpochs} loss {unit(p.TrainLoss):F3}[/]";
            if (!p.IsEpochEnd)
                return;
            string validation = p.ValidationLoss is double v ? $", validation loss {unit(v):F3}" : "";
            if (p.ValidationMetric is double m)
                validation += $", {p.MetricName} {m:F3}";
            AnsiConsole.MarkupLine($"  {name}: epoch {p.Epoch}/{p.TotalEpochs}: training loss {unit(p.TrainLoss):F3}{Markup.Escape(validation)}, {p.SamplesPerSecond:N0} samples/s, {p.Elapsed:mm\\:ss}");
        }
    }
}
