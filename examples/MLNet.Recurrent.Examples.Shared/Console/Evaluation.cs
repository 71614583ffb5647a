using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;
using TorchSharp;

namespace MLNet.Recurrent.Examples;

/// <summary>Printing what ML.NET's evaluators and the trained models report.</summary>
public static class Evaluation
{
    /// <summary>The class names of a key column, in key order (the order of a confusion matrix's rows).</summary>
    public static string[] KeyNames(IDataView data, string keyColumn)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        data.Schema[keyColumn].GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    /// <summary>Weights of a recurrent model.</summary>
    public static long ParameterCount(RecurrentPredictionTransformer model) => model.NumberOfParameters;

    /// <summary>Prints micro/macro accuracy and log-loss, and ML.NET's confusion table.</summary>
    public static void Show(MulticlassClassificationMetrics metrics, bool confusionTable = true)
    {
        AnsiConsole.MarkupLine($"[bold]Test:[/] micro-accuracy [bold]{metrics.MicroAccuracy:P2}[/], macro-accuracy {metrics.MacroAccuracy:P2}, log-loss {metrics.LogLoss:F3}");
        if (confusionTable)
            AnsiConsole.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
    }

    /// <summary>Prints accuracy, AUC and F1.</summary>
    public static void Show(CalibratedBinaryClassificationMetrics metrics) =>
        AnsiConsole.MarkupLine($"[bold]Test:[/] accuracy [bold]{metrics.Accuracy:P2}[/], AUC {metrics.AreaUnderRocCurve:F3}, F1 {metrics.F1Score:F3}, log-loss {metrics.LogLoss:F3}");
}
