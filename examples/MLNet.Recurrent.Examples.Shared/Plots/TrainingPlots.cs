using ScottPlot;

namespace MLNet.Recurrent.Examples;

/// <summary>The plots every classifier example draws: training curves and the confusion matrix.</summary>
public static class TrainingPlots
{
    /// <summary>
    /// Two panels side by side: training and validation loss per epoch (solid / dashed), and the validation metric per
    /// epoch, one colour per model. Saves <paramref name="path"/> and prints it.
    /// </summary>
    public static string Curves(string path, string title, IReadOnlyList<TrainingCurve> curves, string metricLabel = "validation accuracy")
    {
        var loss = new Plot();
        var metric = new Plot();
        for (int i = 0; i < curves.Count; i++)
        {
            TrainingCurve c = curves[i];
            Color color = Colors.Category10[i % 10];
            // One model: training and validation in two colours; several: one colour per model, validation dashed.
            string prefix = curves.Count > 1 ? c.Name + ", " : "";
            AddLine(loss, c.EpochNumbers, c.TrainLoss, prefix + "training", color, LinePattern.Solid);
            AddLine(loss, c.EpochNumbers, c.ValidationLoss, prefix + "validation", curves.Count > 1 ? color : Colors.Category10[1], LinePattern.Dashed);
            AddLine(metric, c.EpochNumbers, c.ValidationMetric, c.Name, color, LinePattern.Solid);
        }
        Decorate(loss, title + ": loss", "epoch", "cross-entropy loss (nats)");
        Decorate(metric, title + ": " + metricLabel, "epoch", metricLabel);
        return Plots.SaveGrid([loss, metric], 2, path, 1400, 520);
    }

    /// <summary>The confusion matrix of <paramref name="metrics"/> as a heat map (rows: true class).</summary>
    public static string ConfusionMatrix(string path, string title, IReadOnlyList<string> classes, Microsoft.ML.Data.ConfusionMatrix matrix) =>
        Plots.Save(Plots.ConfusionMatrix(title, classes, matrix.Counts), path, 160 + 110 * classes.Count + 140, 120 + 90 * classes.Count);

    private static void AddLine(Plot plot, double[] x, double[] y, string name, Color color, LinePattern pattern)
    {
        int[] keep = Enumerable.Range(0, y.Length).Where(i => double.IsFinite(y[i])).ToArray();
        if (keep.Length == 0)
            return;
        var line = plot.Add.Scatter(keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray());
        line.LegendText = name;
        line.Color = color;
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.MarkerSize = 6;
    }

    private static void Decorate(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
    }
}
