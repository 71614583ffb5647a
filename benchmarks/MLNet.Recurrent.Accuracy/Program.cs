// The accuracy suite's .NET sides (docs/accuracy.md). One JSON line per (set, side) on stdout; logs on stderr.
//
//   dotnet run -c Release --project benchmarks/MLNet.Recurrent.Accuracy -- \
//       --set benchmarks/accuracy/cache/sets/wordnet --side ours-defaults --seed 1
//
// sides: ours-defaults  TokenizeToIds("Tokens", "Text") + Trainers.Recurrent(labelColumnName:, featureColumnName:)
//        ours-best      TokenizeToIds + Trainers.Recurrent(options) with the set's recipe (--best, else presets.json)
//        sdca           FeaturizeText + AppendCacheCheckpoint + SdcaMaximumEntropy / SdcaLogisticRegression / Sdca
//        ours-ulmfit    ULMFiT-style pretraining with the defaults: TokenizeToIds("Tokens", "Text") fitted on ALL training
//                       texts, TrainLanguageModel on those texts (the classifier defaults' Cell, EmbeddingSize, HiddenSize,
//                       NumberOfLayers; Corpus Continuous; MaximumTrainingTime --lm-minutes, epochs high enough that time
//                       ends it; Seed --seed), then Trainers.Recurrent(new RecurrentTrainerOptions { LabelColumnName,
//                       FeatureColumnName, PretrainedLanguageModel }) (= the short overload's options plus the model) on the
//                       labelled rows. fit_s = tokenizer + language model + classifier; lm_fit_s and "lm" report the model alone.
// --label-fraction F (0 < F <= 1, default 1) trains every side's classifier on a seeded random F of the training rows
// (a shuffle seeded by --seed, then the first max(1, round(F x rows)); the same rows for every side of a seed); the test
// set is unchanged. Only ours-ulmfit reads the other training texts (unlabelled, for its tokenizer and language model):
// ours-defaults, ours-best and sdca fit their tokenizer / featurizer on the labelled rows alone, as a user without a
// language model would, so "ours-ulmfit minus ours-defaults" at the same F is the gain of pretraining on unlabelled text.
// Multiclass: test rows whose class no labelled row has get the missing key, which ML.NET's evaluator skips; their count
// is reported (test_rows_unseen_label).
// --describe prints, instead of training, the full effective recipe of each ours-* side (kind "recipe"): what
// benchmarks/run.sh hands the PyTorch script so that it trains the same recipe.
//
// The language-model suite (docs/language-models.md, "Against PPMd"; LanguageModelSuite.cs), one JSON line per (text, side):
//
//   dotnet run -c Release --project benchmarks/MLNet.Recurrent.Accuracy -- lm \
//       --text benchmarks/lm/cache/texts/bible --side ours ppmd --minutes 10 --seed 1

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Recurrent;
using MLNet.Recurrent.Accuracy;

var setOption = new Option<string[]>("--set")
{
    Description = "Set folder(s) built by benchmarks/accuracy/build_sets.py (train.tsv, test.tsv, meta.json); repeatable.",
    Required = true,
    AllowMultipleArgumentsPerToken = true,
};
var sideOption = new Option<string[]>("--side")
{
    Description = "ours-defaults, ours-best, sdca and/or ours-ulmfit; repeatable. Default: the first three.",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => new[] { "ours-defaults", "ours-best", "sdca" },
};
sideOption.AcceptOnlyFromAmong("ours-defaults", "ours-best", "sdca", "ours-ulmfit");
var seedOption = new Option<int>("--seed") { Description = "MLContext seed (drives every seeded choice of every side).", DefaultValueFactory = _ => 1 };
var bestOption = new Option<string?>("--best")
{
    Description = "Recipe of ours-best for every set: a preset name, inline JSON or a .json file. Default: the set's entry of presets.json \"best\" (else its \"*\").",
};
var presetsOption = new Option<string>("--presets")
{
    Description = "Presets file.",
    DefaultValueFactory = _ => FindPresets(),
};
var runOption = new Option<int>("--run") { Description = "Repetition index, copied into the output.", DefaultValueFactory = _ => 0 };
var epochsOption = new Option<int?>("--epochs")
{
    Description = "Smoke mode only: train ours for this many epochs (the defaults side passes it as the short overload's numberOfEpochs). Default: the recipe's.",
};
var labelFractionOption = new Option<double>("--label-fraction")
{
    Description = "Share of the training rows whose labels every side trains on (a subset seeded by --seed), in (0, 1]; the test set is unchanged. Default 1.",
    DefaultValueFactory = _ => 1.0,
};
labelFractionOption.Validators.Add(r =>
{
    double f = r.GetValueOrDefault<double>();
    if (!(f > 0 && f <= 1))
        r.AddError($"--label-fraction {f} is not in (0, 1].");
});
var lmMinutesOption = new Option<double>("--lm-minutes")
{
    Description = "ours-ulmfit: MaximumTrainingTime of its language model, in minutes (the time, not epochs, ends its training). Default 3.",
    DefaultValueFactory = _ => 3.0,
};
lmMinutesOption.Validators.Add(r =>
{
    double m = r.GetValueOrDefault<double>();
    if (!(m > 0 && m <= 24 * 60))
        r.AddError($"--lm-minutes {m} is not in (0, 1440].");
});
var describeOption = new Option<bool>("--describe") { Description = "Print the effective recipe of each ours-* side (kind \"recipe\") and train nothing." };

var root = new RootCommand("MLNet.Recurrent accuracy suite: ours (defaults / best recipe) and FeaturizeText + SDCA on suite sets.")
{
    setOption, sideOption, seedOption, bestOption, presetsOption, runOption, epochsOption, labelFractionOption, lmMinutesOption, describeOption,
};
root.SetAction(parse =>
{
    var folders = parse.GetRequiredValue(setOption);
    var sides = parse.GetRequiredValue(sideOption);
    int seed = parse.GetValue(seedOption);
    string? best = parse.GetValue(bestOption);
    string presets = parse.GetRequiredValue(presetsOption);
    int run = parse.GetValue(runOption);
    bool describe = parse.GetValue(describeOption);
    int? epochs = parse.GetValue(epochsOption);
    double labelFraction = parse.GetValue(labelFractionOption);
    var lmTime = TimeSpan.FromMinutes(parse.GetValue(lmMinutesOption));
    int failures = 0;
    foreach (string folder in folders)
    {
        foreach (string side in sides)
        {
            try
            {
                var set = SuiteSet.Open(folder);
                if (describe)
                {
                    if (side is "ours-defaults" or "ours-best")
                        Output.Line(DescribeRecipe(set, side, best, presets, seed));
                    continue;
                }
                Output.Line(RunOne(set, side, best, presets, seed, run, epochs, labelFraction, lmTime));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures++;
                Console.Error.WriteLine($"[accuracy] {Path.GetFileName(folder.TrimEnd('/'))} / {side} FAILED: {e}");
                Output.Line(new JsonObject
                {
                    ["kind"] = "error", ["set"] = Path.GetFileName(folder.TrimEnd('/')), ["side"] = side, ["seed"] = seed, ["run"] = run,
                    ["label_fraction"] = labelFraction,
                    ["error"] = $"{e.GetType().Name}: {e.Message}",
                });
            }
        }
    }
    return failures == 0 ? 0 : 1;
});
root.Subcommands.Add(LanguageModelSuite.Command());
return root.Parse(args).Invoke();

static JsonObject RunOne(SuiteSet set, string side, string? best, string presets, int seed, int run, int? epochs, double labelFraction, TimeSpan lmTime)
{
    var ml = new MLContext(seed: seed);
    ml.Log += (_, e) =>
    {
        // The trainer's own progress lines (epochs, losses, time) are the useful part of ML.NET's log here.
        if (e.Kind >= Microsoft.ML.Runtime.ChannelMessageKind.Info
            && (e.Source.Contains("Recurrent", StringComparison.Ordinal) || e.Source.Contains("LanguageModel", StringComparison.Ordinal)))
            Console.Error.WriteLine($"[{set.Name} {side} seed {seed}] {e.Message}");
    };
    var allTrain = set.Load(ml, train: true);
    var test = set.Load(ml, train: false);
    var (train, labelledRows) = labelFraction < 1 ? set.LoadTrainSubset(ml, labelFraction, seed) : (allTrain, set.TrainRows);
    Console.Error.WriteLine($"[accuracy] {set.Name} ({set.Task}, {set.TrainRows} / {set.TestRows} rows): {side}, seed {seed}"
        + (labelFraction < 1 ? $", labels of {labelledRows} training rows (--label-fraction {labelFraction})" : ""));
    int? unseenLabel = null;
    if (labelFraction < 1 && set.Task == SuiteTask.Multiclass)
    {
        var classes = train.GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).ToHashSet(StringComparer.Ordinal);
        unseenLabel = test.GetColumn<ReadOnlyMemory<char>>("Label").Count(l => !classes.Contains(l.ToString()));
        if (unseenLabel > 0)
            Console.Error.WriteLine($"[accuracy] {set.Name}: {unseenLabel} test row(s) have a class no labelled row has; ML.NET's evaluator skips them.");
    }

    Recipe? recipe = side switch
    {
        "ours-defaults" => Recipe.Resolve(Recipe.DefaultsName, presets),
        "ours-ulmfit" => Recipe.Resolve(Recipe.DefaultsName, presets),
        "ours-best" => Recipe.Resolve(BestRecipeName(set, best, presets), presets),
        _ => null,
    };
    RunResult result = side switch
    {
        "sdca" => Sides.Sdca(ml, set, train, test),
        "ours-ulmfit" => Sides.OursUlmfit(ml, set, allTrain, train, test, lmTime, seed, epochs),
        _ => Sides.Ours(ml, set, train, test, recipe!, epochs),
    };
    string metrics = string.Join(", ", result.Metrics.Select(kv => $"{kv.Key} {kv.Value:G4}"));
    Console.Error.WriteLine($"[accuracy] {set.Name} / {side} / seed {seed}: {metrics}; fit {result.FitSeconds:F1} s"
        + (result.LanguageModel?["fit_s"] is JsonNode lmFit ? $" (language model {lmFit.GetValue<double>():F1} s)" : ""));

    var line = new JsonObject
    {
        ["kind"] = "result",
        ["set"] = set.Name,
        ["task"] = set.Task.ToString().ToLowerInvariant(),
        ["side"] = side,
        ["recipe"] = recipe?.Name ?? "mlnet-defaults",
        ["seed"] = seed,
        ["run"] = run,
        ["train_rows"] = set.TrainRows,
        ["test_rows"] = set.TestRows,
        ["label_fraction"] = labelFraction,
        ["labelled_rows"] = labelledRows,
        ["test_rows_unseen_label"] = unseenLabel,
        ["metrics"] = JsonSerializer.SerializeToNode(result.Metrics),
        ["fit_s"] = result.FitSeconds,
        ["predict_s"] = result.PredictSeconds,
        ["epochs_run"] = result.EpochsRun,
        ["epochs_override"] = epochs,
        ["options"] = result.EffectiveRecipe,
        ["lm_fit_s"] = result.LanguageModel?["fit_s"]?.DeepClone(),
        ["lm"] = result.LanguageModel,
        ["omp_threads"] = Environment.GetEnvironmentVariable("OMP_NUM_THREADS"),
        ["peak_rss_mb"] = Output.PeakRssMb(),
        ["env"] = Output.Environment(),
    };
    return line;
}

static JsonObject DescribeRecipe(SuiteSet set, string side, string? best, string presets, int seed)
{
    var ml = new MLContext(seed: seed);
    string name = side == "ours-defaults" ? Recipe.DefaultsName : BestRecipeName(set, best, presets);
    var recipe = Recipe.Resolve(name, presets);
    RecurrentTrainerOptions trainerOptions;
    if (recipe.IsDefaults)
    {
        // What the short overload really hands the trainer (its copy of the options).
        trainerOptions = (set.Task switch
        {
            SuiteTask.Binary => ml.BinaryClassification.Trainers.Recurrent(labelColumnName: "Label", featureColumnName: "Tokens"),
            SuiteTask.Regression => ml.Regression.Trainers.Recurrent(labelColumnName: "Label", featureColumnName: "Tokens"),
            _ => ml.MulticlassClassification.Trainers.Recurrent(labelColumnName: "Label", featureColumnName: "Tokens"),
        }).Options;
    }
    else
    {
        trainerOptions = recipe.CreateTrainerOptions("Label", "Tokens");
    }
    var tokenizerOptions = recipe.IsDefaults ? new TokenizerOptions() : recipe.CreateTokenizerOptions();
    return new JsonObject
    {
        ["kind"] = "recipe",
        ["set"] = set.Name,
        ["task"] = set.Task.ToString().ToLowerInvariant(),
        ["side"] = side,
        ["recipe"] = recipe.Name,
        ["seed"] = seed,
        ["options"] = Recipe.Effective(tokenizerOptions, trainerOptions),
    };
}

// --best for every set, else presets.json "best"[set], else "best"["*"].
static string BestRecipeName(SuiteSet set, string? best, string presets)
{
    if (!string.IsNullOrWhiteSpace(best))
        return best;
    if (!File.Exists(presets))
        throw new FileNotFoundException($"No --best recipe and no presets file '{presets}'.", presets);
    var json = JsonNode.Parse(File.ReadAllText(presets), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
    var map = json?["best"] as JsonObject ?? throw new InvalidDataException($"{presets} has no \"best\" object (set name -> preset name).");
    return (map[set.Name] ?? map["*"])?.GetValue<string>()
        ?? throw new InvalidDataException($"{presets}: \"best\" names no preset for set '{set.Name}' and has no \"*\" entry.");
}

// benchmarks/accuracy/presets.json, looked for from the working directory upwards (run.sh runs from the repository root).
static string FindPresets()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, "benchmarks", "accuracy", "presets.json");
        if (File.Exists(candidate))
            return candidate;
    }
    return Path.Combine("benchmarks", "accuracy", "presets.json");
}
