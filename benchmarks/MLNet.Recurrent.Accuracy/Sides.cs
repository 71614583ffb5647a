using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Accuracy;

/// <summary>What one run measured: test metrics (ML.NET's own Evaluate) and times.</summary>
internal sealed record RunResult(Dictionary<string, double> Metrics, double FitSeconds, double PredictSeconds, int? EpochsRun, JsonObject? EffectiveRecipe);

/// <summary>The .NET sides of the suite: MLNet.Recurrent (defaults or a recipe) and ML.NET's FeaturizeText + SDCA.</summary>
internal static partial class Sides
{
    private const string Label = "Label", Text = "Text", Tokens = "Tokens";

    /// <summary>
    /// MLNet.Recurrent. With the <c>defaults</c> recipe exactly what a new user writes: <c>TokenizeToIds("Tokens", "Text")</c>
    /// and <c>Trainers.Recurrent(labelColumnName:, featureColumnName:)</c>; otherwise the recipe's options.
    /// Multiclass labels go through <c>MapValueToKey</c> first, as ML.NET requires. <paramref name="epochs"/> (smoke mode
    /// only) replaces the epoch count: the short overload's <c>numberOfEpochs</c>, or the recipe's <c>NumberOfEpochs</c>.
    /// </summary>
    public static RunResult Ours(MLContext ml, SuiteSet set, IDataView train, IDataView test, Recipe recipe, int? epochs)
    {
        IEstimator<ITransformer> pipeline = set.Task == SuiteTask.Multiclass
            ? ml.Transforms.Conversion.MapValueToKey(Label)
            : new EstimatorChain<ITransformer>();
        TokenizerOptions tokenizerOptions;
        if (recipe.IsDefaults)
        {
            pipeline = pipeline.Append(ml.Transforms.Text.TokenizeToIds(Tokens, Text));
            tokenizerOptions = new TokenizerOptions();
        }
        else
        {
            tokenizerOptions = recipe.CreateTokenizerOptions();
            pipeline = pipeline.Append(ml.Transforms.Text.TokenizeToIds(Tokens, Text, tokenizerOptions));
        }

        RecurrentTrainer trainer;
        if (recipe.IsDefaults)
        {
            trainer = (set.Task, epochs) switch
            {
                (SuiteTask.Binary, null) => ml.BinaryClassification.Trainers.Recurrent(labelColumnName: Label, featureColumnName: Tokens),
                (SuiteTask.Regression, null) => ml.Regression.Trainers.Recurrent(labelColumnName: Label, featureColumnName: Tokens),
                (_, null) => ml.MulticlassClassification.Trainers.Recurrent(labelColumnName: Label, featureColumnName: Tokens),
                (SuiteTask.Binary, int n) => ml.BinaryClassification.Trainers.Recurrent(labelColumnName: Label, featureColumnName: Tokens, numberOfEpochs: n),
                (SuiteTask.Regression, int n) => ml.Regression.Trainers.Recurrent(labelColumnName: Label, featureColumnName: Tokens, numberOfEpochs: n),
                (_, int n) => ml.MulticlassClassification.Trainers.Recurrent(labelColumnName: Label, featureColumnName: Tokens, numberOfEpochs: n),
            };
        }
        else
        {
            var options = recipe.CreateTrainerOptions(Label, Tokens);
            if (epochs is int n)
                options.NumberOfEpochs = n;
            trainer = set.Task switch
            {
                SuiteTask.Binary => ml.BinaryClassification.Trainers.Recurrent(options),
                SuiteTask.Regression => ml.Regression.Trainers.Recurrent(options),
                _ => ml.MulticlassClassification.Trainers.Recurrent(options),
            };
        }
        // The trainer's own copy of its options: for the defaults, what the short overload really chose.
        var effective = Recipe.Effective(tokenizerOptions, trainer.Options);

        int? epochsRun = null;
        ml.Log += (_, e) =>
        {
            var m = EpochsTrained().Match(e.Message);
            if (m.Success)
                epochsRun = int.Parse(m.Groups[1].Value);
        };
        var (result, fitS, predictS) = FitAndEvaluate(ml, set, pipeline.Append(trainer), train, test);
        return new RunResult(result, fitS, predictS, epochsRun, effective);
    }

    /// <summary>
    /// ML.NET's own text baseline with every default: <c>FeaturizeText</c> + <c>AppendCacheCheckpoint</c> +
    /// <c>SdcaMaximumEntropy</c> (binary: <c>SdcaLogisticRegression</c>; regression: <c>Sdca</c>).
    /// </summary>
    public static RunResult Sdca(MLContext ml, SuiteSet set, IDataView train, IDataView test)
    {
        IEstimator<ITransformer> featurize = ml.Transforms.Text.FeaturizeText("Features", Text);
        if (set.Task == SuiteTask.Multiclass)
            featurize = ml.Transforms.Conversion.MapValueToKey(Label).Append(featurize);
        var cached = featurize.AppendCacheCheckpoint(ml);
        IEstimator<ITransformer> pipeline = set.Task switch
        {
            SuiteTask.Binary => cached.Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: Label)),
            SuiteTask.Regression => cached.Append(ml.Regression.Trainers.Sdca(labelColumnName: Label)),
            _ => cached.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: Label)),
        };
        var (result, fitS, predictS) = FitAndEvaluate(ml, set, pipeline, train, test);
        return new RunResult(result, fitS, predictS, null, null);
    }

    private static (Dictionary<string, double> Metrics, double FitSeconds, double PredictSeconds) FitAndEvaluate(
        MLContext ml, SuiteSet set, IEstimator<ITransformer> pipeline, IDataView train, IDataView test)
    {
        var fitClock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double fitS = fitClock.Elapsed.TotalSeconds;

        // Scored once into memory so the prediction time is measured once and Evaluate reads the cached scores.
        var predictClock = Stopwatch.StartNew();
        var scored = ml.Data.Cache(model.Transform(test));
        var metrics = Evaluate(ml, set.Task, scored);
        double predictS = predictClock.Elapsed.TotalSeconds;
        (model as IDisposable)?.Dispose();
        return (metrics, fitS, predictS);
    }

    /// <summary>
    /// ML.NET's metrics under the suite's names. Classification: micro accuracy (share of rows right), macro accuracy
    /// (mean over classes of each class's recall), log-loss (multiclass: natural log, probabilities clipped at 1e-15;
    /// binary: base 2, as ML.NET's binary evaluator computes it). Regression: RMSE, R², MAE.
    /// </summary>
    private static Dictionary<string, double> Evaluate(MLContext ml, SuiteTask task, IDataView scored)
    {
        switch (task)
        {
            case SuiteTask.Binary:
                var b = ml.BinaryClassification.Evaluate(scored, labelColumnName: Label);
                return new()
                {
                    ["micro_accuracy"] = b.Accuracy,
                    ["macro_accuracy"] = (b.PositiveRecall + b.NegativeRecall) / 2,
                    ["log_loss"] = b.LogLoss,
                    ["auc"] = b.AreaUnderRocCurve,
                    ["f1"] = b.F1Score,
                };
            case SuiteTask.Regression:
                var r = ml.Regression.Evaluate(scored, labelColumnName: Label);
                return new()
                {
                    ["rmse"] = r.RootMeanSquaredError,
                    ["r2"] = r.RSquared,
                    ["mae"] = r.MeanAbsoluteError,
                };
            default:
                var m = ml.MulticlassClassification.Evaluate(scored, labelColumnName: Label);
                return new()
                {
                    ["micro_accuracy"] = m.MicroAccuracy,
                    ["macro_accuracy"] = m.MacroAccuracy,
                    ["log_loss"] = m.LogLoss,
                };
        }
    }

    [GeneratedRegex(@"Trained (\d+) epoch")]
    private static partial Regex EpochsTrained();
}
