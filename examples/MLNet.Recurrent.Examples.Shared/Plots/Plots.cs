using ScottPlot;
using Spectre.Console;

namespace MLNet.Recurrent.Examples;

/// <summary>One line of a line chart.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">x values.</param>
/// <param name="Y">y values (NaN points are left out).</param>
public sealed record Series(string Name, double[] X, double[] Y);

/// <summary>The charts the examples draw, with ScottPlot, saved as PNG (each save prints the file's path).</summary>
public static class Plots
{
    /// <summary>A line chart with a legend.</summary>
    public static Plot Lines(string title, string xLabel, string yLabel, IEnumerable<Series> series)
    {
        var plot = new Plot();
        foreach (Series s in series)
        {
            int[] keep = Enumerable.Range(0, s.Y.Length).Where(i => double.IsFinite(s.Y[i])).ToArray();
            if (keep.Length == 0)
                continue;
            var line = plot.Add.Scatter(keep.Select(i => s.X[i]).ToArray(), keep.Select(i => s.Y[i]).ToArray());
            line.LegendText = s.Name;
            line.LineWidth = 2;
            line.MarkerSize = keep.Length <= 40 ? 6 : 0;
        }
        Label(plot, title, xLabel, yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>A bar chart (bars at 0..n-1, or at <paramref name="positions"/>).</summary>
    public static Plot Bars(string title, string xLabel, string yLabel, double[] values, double[]? positions = null, string[]? tickLabels = null)
    {
        var plot = new Plot();
        double[] x = positions ?? Enumerable.Range(0, values.Length).Select(i => (double)i).ToArray();
        plot.Add.Bars(x, values);
        if (tickLabels is not null)
            plot.Axes.Bottom.SetTicks(x, tickLabels);
        plot.Axes.Margins(bottom: 0);
        Label(plot, title, xLabel, yLabel);
        return plot;
    }

    /// <summary>
    /// A confusion matrix as a heat map: rows are the true classes (top to bottom), columns the predicted ones, each
    /// cell labelled with its count; colour and percentage are the share of the row (recall).
    /// </summary>
    public static Plot ConfusionMatrix(string title, IReadOnlyList<string> classes, IReadOnlyList<IReadOnlyList<double>> counts)
    {
        int n = classes.Count;
        var fraction = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            double total = Math.Max(1, counts[r].Sum());
            for (int c = 0; c < n; c++)
                fraction[r, c] = counts[r][c] / total;
        }
        var plot = new Plot();
        IColormap colormap = new ScottPlot.Colormaps.Blues().Reversed();
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                // Row r is drawn from the top; each cell shows its count and its share of the true class.
                var cell = plot.Add.Rectangle(c, c + 1, n - r - 1, n - r);
                cell.FillColor = colormap.GetColor(fraction[r, c]);
                cell.LineColor = Colors.White;
                var text = plot.Add.Text($"{counts[r][c]:N0}\n{fraction[r, c]:P0}", c + 0.5, n - r - 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = n <= 6 ? 16 : 11;
                text.LabelFontColor = fraction[r, c] > 0.5 ? Colors.White : Colors.Black;
            }
        }
        double[] centers = Enumerable.Range(0, n).Select(i => i + 0.5).ToArray();
        plot.Axes.Bottom.SetTicks(centers, classes.ToArray());
        plot.Axes.Left.SetTicks(centers, classes.Reverse().ToArray());
        Label(plot, title, "predicted class", "true class");
        plot.Axes.SetLimits(0, n, 0, n);
        return plot;
    }

    /// <summary>Saves <paramref name="plot"/> as a PNG and prints its path.</summary>
    public static string Save(Plot plot, string path, int width = 800, int height = 500)
    {
        plot.SavePng(path, width, height);
        Announce(path);
        return path;
    }

    /// <summary>
    /// Saves several plots as one PNG: <paramref name="plots"/> in a grid of <paramref name="columns"/> columns, filled
    /// row by row.
    /// </summary>
    public static string SaveGrid(IReadOnlyList<Plot> plots, int columns, string path, int width, int height)
    {
        int rows = (plots.Count + columns - 1) / columns;
        var multiplot = new Multiplot();
        multiplot.Reset(plots[0]);
        foreach (Plot plot in plots.Skip(1))
            multiplot.AddPlot(plot);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        multiplot.SavePng(path, width, height);
        Announce(path);
        return path;
    }

    private static void Label(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
    }

    private static void Announce(string path) => AnsiConsole.MarkupLine($"[green]plot[/] {Markup.Escape(Path.GetFullPath(path))}");
}
