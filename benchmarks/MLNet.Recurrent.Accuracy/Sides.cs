using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Accuracy;

/// <summary>What one run measured: test metrics (ML.NET's own Evaluate) and times; <paramref name="LanguageModel"/>: what
/// <c>ours-ulmfit</c>'s language model did (its fit time, epochs, final training loss, options).</summary>
internal sealed record RunResult(Dictionary<string, double> Metrics, double FitSeconds, double PredictSeconds, int? EpochsRun, JsonObject? EffectiveRecipe,
    JsonObject? LanguageModel = null);

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
    /// ULMFiT (Howard &amp; Ruder 2018) with the defaults: <c>TokenizeToIds("Tokens", "Text")</c> fitted on
    /// <paramref name="allTrain"/> (every training text: unlabelled text is there even when most labels are not), a
    /// language model trained on those same texts (<c>TrainLanguageModel</c> with the classifier defaults' cell, sizes and
    /// layers, <see cref="LanguageModelCorpus.Continuous"/>, limited by <paramref name="lmTime"/> rather than by epochs),
    /// then the classifier with its defaults plus <c>PretrainedLanguageModel</c> on the labelled rows <paramref name="train"/>.
    /// The fit time is the tokenizer's, the language model's and the classifier's together.
    /// </summary>
    public static RunResult OursUlmfit(MLContext ml, SuiteSet set, IDataView allTrain, IDataView train, IDataView test, TimeSpan lmTime, int seed, int? epochs)
    {
        var clock = Stopwatch.StartNew();
        var tokenizer = ml.Transforms.Text.TokenizeToIds(Tokens, Text).Fit(allTrain);
        double tokenizerS = clock.Elapsed.TotalSeconds;

        // The classifier's defaults decide the architecture the language model must have.
        var defaults = new RecurrentTrainerOptions();
        var lmOptions = new LanguageModelOptions
        {
            InputColumnName = Tokens,
            Cell = defaults.Cell,
            EmbeddingSize = defaults.EmbeddingSize,
            HiddenSize = defaults.HiddenSize,
            NumberOfLayers = defaults.NumberOfLayers,
            TieWeights = false, // EmbeddingSize 256 != HiddenSize 64
            // The rows (documents, sentences) of a set, in file order, as one text: 64 parallel streams with the state
            // carried across windows, the setting the language-model suite trains best with; ULMFiT too reads a concatenated corpus.
            Corpus = LanguageModelCorpus.Continuous,
            // Time is the limit (LinearDecay then anneals to 0 at the end of MaximumTrainingTime).
            NumberOfEpochs = LanguageModelEpochCap,
            MaximumTrainingTime = lmTime,
            Seed = seed,
        };
        JsonObject lmEffective = OptionsJson.Snapshot(lmOptions);
        clock.Restart();
        using LanguageModelTransformer lm = ml.Transforms.Text.TrainLanguageModel(lmOptions).Fit(tokenizer.Transform(allTrain));
        double lmFitS = clock.Elapsed.TotalSeconds;

        var epochEnds = lm.TrainingHistory.Where(p => p.IsEpochEnd).ToList();
        TrainingProgress? last = lm.TrainingHistory.Count > 0 ? lm.TrainingHistory[^1] : null;
        var lmInfo = new JsonObject
        {
            ["fit_s"] = lmFitS,
            ["tokenizer_fit_s"] = tokenizerS,
            ["minutes"] = lmTime.TotalMinutes,
            ["epochs_completed"] = epochEnds.Count,
            ["epochs_seen"] = last is null ? 0 : last.Epoch - 1 + (double)last.Batch / Math.Max(1, last.BatchesPerEpoch),
            // Training loss only (no held-out text: every training text trains the model), nats per token as the trainer reports it.
            ["final_train_loss"] = last?.TrainLoss,
            ["final_train_perplexity"] = last is null ? null : Math.Exp(last.TrainLoss),
            ["tokens_per_s"] = epochEnds.Count > 0 ? epochEnds.Average(p => p.SamplesPerSecond) : last?.SamplesPerSecond,
            ["parameters"] = lm.NumberOfParameters,
            ["vocabulary"] = lm.VocabularySize,
            ["options"] = lmEffective,
        };
        Console.Error.WriteLine($"[accuracy] {set.Name} / ours-ulmfit: language model {lmFitS:F1} s, {lmInfo["epochs_seen"]!.GetValue<double>():F2} epochs, "
            + $"final training perplexity {(last is null ? double.NaN : Math.Exp(last.TrainLoss)):G4}, vocabulary {lm.VocabularySize:N0}");

        // Exactly the short overload's options (its Short() is new RecurrentTrainerOptions { LabelColumnName, FeatureColumnName }),
        // plus the language model.
        var options = new RecurrentTrainerOptions { LabelColumnName = Label, FeatureColumnName = Tokens, PretrainedLanguageModel = lm };
        if (epochs is int n)
            options.NumberOfEpochs = n;
        RecurrentTrainer trainer = set.Task switch
        {
            SuiteTask.Binary => ml.BinaryClassification.Trainers.Recurrent(options),
            SuiteTask.Regression => ml.Regression.Trainers.Recurrent(options),
            _ => ml.MulticlassClassification.Trainers.Recurrent(options),
        };
        IEstimator<ITransformer> pipeline = set.Task == SuiteTask.Multiclass
            ? ml.Transforms.Conversion.MapValueToKey(Label).Append(trainer)
            : trainer;
        var effective = Recipe.Effective(new TokenizerOptions(), trainer.Options);

        int? epochsRun = null;
        ml.Log += (_, e) =>
        {
            var m = EpochsTrained().Match(e.Message);
            if (m.Success && e.Source.Contains("Recurrent", StringComparison.Ordinal))
                epochsRun = int.Parse(m.Groups[1].Value);
        };
        // The tokenizer is already fitted (on every training text): the labelled rows and the test set go through it.
        var (result, fitS, predictS) = FitAndEvaluate(ml, set, pipeline, tokenizer.Transform(train), tokenizer.Transform(test));
        return new RunResult(result, tokenizerS + lmFitS + fitS, predictS, epochsRun, effective, lmInfo);
    }

    /// <summary><c>ours-ulmfit</c>'s language-model epoch count: high enough that <c>MaximumTrainingTime</c> ends training
    /// (and low enough that epochs × batches per epoch stays an <see cref="int"/> for any suite set).</summary>
    public const int LanguageModelEpochCap = 10_000;

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
