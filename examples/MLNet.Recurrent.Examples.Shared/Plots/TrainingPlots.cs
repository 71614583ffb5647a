using ScottPlot;

namespace MLNet.Recurrent.Examples;

/// <summary>The plots every classifier example draws: training curves and the confusion matrix.</summary>
public static class TrainingPlots
{
    /// <summary>
    /// Two panels side by side: the training loss as training went (the running mean of each epoch, solid) with the
    /// validation loss after each epoch (dashed, markers); and the validation metric after each epoch. One colour per
    /// model. Saves <paramref name="path"/> and prints it.
    /// </summary>
    public static string Curves(string path, string title, IReadOnlyList<TrainingCurve> curves, string metricLabel = "validation accuracy")
    {
        var loss = new Plot();
        var metric = new Plot();
        bool one = curves.Count == 1;
        for (int i = 0; i < curves.Count; i++)
        {
            TrainingCurve c = curves[i];
            Color color = Colors.Category10[i % 10];
            var running = c.Running;
            AddLine(loss, running.Select(r => r.Epoch).ToArray(), running.Select(r => r.Loss).ToArray(), one ? "training (running mean)" : c.Name, color, LinePattern.Solid, markers: false);
            AddLine(loss, c.EpochNumbers, c.ValidationLoss, one ? "validation" : null, one ? Colors.Category10[1] : color, LinePattern.Dashed, markers: true);
            AddLine(metric, c.EpochNumbers, c.ValidationMetric, c.Name, color, LinePattern.Solid, markers: true);
        }
        // Losses fall and accuracies rise: the lower corners away from the curves' start stay free for the legends.
        Decorate(loss, one ? title + ": loss" : title + ": loss (solid: training, dashed: validation)", "epoch", "cross-entropy loss (nats)", Alignment.LowerLeft);
        Decorate(metric, title + ": " + metricLabel, "epoch", metricLabel, Alignment.LowerRight);
        loss.Axes.SetLimitsX(0, Math.Max(1, curves.Max(c => c.Epochs.Count)) + 0.1);
        metric.Axes.SetLimitsX(0.8, Math.Max(1, curves.Max(c => c.Epochs.Count)) + 0.2);
        return Plots.SaveGrid([loss, metric], 2, path, 1400, 520);
    }

    /// <summary>The confusion matrix of <paramref name="metrics"/> as a heat map (rows: true class).</summary>
    public static string ConfusionMatrix(string path, string title, IReadOnlyList<string> classes, Microsoft.ML.Data.ConfusionMatrix matrix) =>
        Plots.Save(Plots.ConfusionMatrix(title, classes, matrix.Counts), path, 160 + 110 * classes.Count + 140, 120 + 90 * classes.Count);

    private static void AddLine(Plot plot, double[] x, double[] y, string? name, Color color, LinePattern pattern, bool markers)
    {
        int[] keep = Enumerable.Range(0, y.Length).Where(i => double.IsFinite(y[i])).ToArray();
        if (keep.Length == 0)
            return;
        var line = plot.Add.Scatter(keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray());
        if (name is not null)
            line.LegendText = name;
        line.Color = color;
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.MarkerSize = markers ? 7 : 0;
    }

    private static void Decorate(Plot plot, string title, string xLabel, string yLabel, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
    }
}
