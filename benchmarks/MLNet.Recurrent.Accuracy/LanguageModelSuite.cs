using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Accuracy;

/// <summary>
/// The language-model suite (docs/language-models.md, "Against PPMd"): on each text, held-out bits per character of a
/// character language model trained with the library's defaults, and of PPMd's conditional compression.
/// </summary>
/// <remarks>
/// <c>ours-defaults</c> is what a user writes for a continuous text with a time budget:
/// <c>TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character })</c> fitted on the training
/// text, then <c>TrainLanguageModel(new LanguageModelOptions { Corpus = Continuous, MaximumTrainingTime = budget })</c>,
/// each paragraph a row (its newline included); the held-out text is scored as one stream with
/// <c>Evaluate(…, corpus: Continuous)</c>, whose bits per token are bits per character. <c>--options</c> changes options
/// on top of that (the side is then <c>ours</c> and the line lists them). <c>--dynamic</c> also scores the held-out text
/// with <c>EvaluateDynamic</c> (the line's <c>dynamic</c> array); <c>--save-model</c> / <c>--load-model</c> keep a trained
/// model to score again without training.
/// </remarks>
internal static class LanguageModelSuite
{
    private const string Text = "Text", Tokens = "Tokens";

    public static Command Command()
    {
        var textOption = new Option<string[]>("--text")
        {
            Description = "Text folder(s) built by benchmarks/lm/build_texts.py (train.txt, heldout.txt, meta.json); repeatable.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var sideOption = new Option<string[]>("--side")
        {
            Description = "ours and/or ppmd; repeatable. Default: both.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => new[] { "ours", "ppmd" },
        };
        sideOption.AcceptOnlyFromAmong("ours", "ppmd");
        var minutesOption = new Option<double>("--minutes") { Description = "MaximumTrainingTime of the language model, in minutes.", DefaultValueFactory = _ => 10 };
        var seedOption = new Option<int>("--seed") { Description = "MLContext seed.", DefaultValueFactory = _ => 1 };
        var runOption = new Option<int>("--run") { Description = "Repetition index, copied into the output.", DefaultValueFactory = _ => 0 };
        var optionsOption = new Option<string?>("--options")
        {
            Description = "LanguageModelOptions to change on top of the defaults, as inline JSON or a .json file: {\"HiddenSize\": 384}. Default: none.",
        };
        var partsOption = new Option<int>("--evaluation-parts")
        {
            Description = "Evaluate's batchSize: the held-out text is read as this many parts side by side, each from the initial state; 1 reads it as one stream.",
            DefaultValueFactory = _ => 1,
        };
        var dynamicOption = new Option<string[]>("--dynamic")
        {
            Description = "Also score the held-out text with EvaluateDynamic, once per value: 'default' (DynamicEvaluationOptions defaults) or inline JSON of DynamicEvaluationOptions changes ({\"LearningRate\": 0.001}); repeatable. Default: none.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => Array.Empty<string>(),
        };
        var saveOption = new Option<string?>("--save-model") { Description = "Save the trained language model (with its tokenizer) to this zip." };
        var loadOption = new Option<string?>("--load-model") { Description = "Score this saved model zip (from --save-model) instead of training one; the line's training figures are then absent." };
        var sevenZipOption = new Option<string>("--seven-zip") { Description = "The 7-Zip command.", DefaultValueFactory = _ => "7z" };
        var orderOption = new Option<int>("--ppmd-order") { Description = "PPMd model order.", DefaultValueFactory = _ => 10 };
        var memoryOption = new Option<string>("--ppmd-memory") { Description = "PPMd model memory (7-Zip syntax).", DefaultValueFactory = _ => "256m" };

        var command = new Command("lm", "Language-model suite: held-out bits/char of a character model with the library's defaults, and of PPMd (7-Zip), on each text.")
        {
            textOption, sideOption, minutesOption, seedOption, runOption, optionsOption, partsOption, dynamicOption, saveOption, loadOption, sevenZipOption, orderOption, memoryOption,
        };
        command.SetAction(parse =>
        {
            string? overrides = parse.GetValue(optionsOption);
            JsonObject changes = overrides is null ? [] : ParseOverrides(overrides);
            int failures = 0;
            foreach (string folder in parse.GetRequiredValue(textOption))
            {
                foreach (string side in parse.GetRequiredValue(sideOption))
                {
                    int seed = parse.GetValue(seedOption), run = parse.GetValue(runOption);
                    try
                    {
                        var set = TextSet.Open(folder);
                        JsonObject line = side == "ppmd"
                            ? Ppmd.Measure(set, parse.GetRequiredValue(sevenZipOption), parse.GetValue(orderOption), parse.GetRequiredValue(memoryOption))
                            : Ours(set, TimeSpan.FromMinutes(parse.GetValue(minutesOption)), changes, seed, parse.GetValue(partsOption),
                                parse.GetRequiredValue(dynamicOption), parse.GetValue(saveOption), parse.GetValue(loadOption));
                        string sideName = side == "ours" && changes.Count == 0 && parse.GetValue(loadOption) is null ? "ours-defaults" : side;
                        Console.Error.WriteLine($"[lm] {set.Name} / {sideName}: {line["bits_per_char"]!.GetValue<double>():F4} held-out bits/char");
                        var head = new JsonObject
                        {
                            ["kind"] = "result", ["suite"] = "lm", ["text"] = set.Name, ["side"] = sideName, ["seed"] = seed, ["run"] = run,
                            ["train_chars"] = set.TrainCharacters, ["heldout_chars"] = set.HeldOutCharacters,
                        };
                        foreach (var (key, value) in line)
                            head[key] = value?.DeepClone();
                        head["omp_threads"] = Environment.GetEnvironmentVariable("OMP_NUM_THREADS");
                        head["load_average"] = LoadAverage();
                        head["peak_rss_mb"] = Output.PeakRssMb();
                        head["env"] = Output.Environment();
                        Output.Line(head);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        failures++;
                        Console.Error.WriteLine($"[lm] {Path.GetFileName(folder.TrimEnd('/'))} / {side} FAILED: {e}");
                        Output.Line(new JsonObject
                        {
                            ["kind"] = "error", ["suite"] = "lm", ["text"] = Path.GetFileName(folder.TrimEnd('/')), ["side"] = side, ["seed"] = seed,
                            ["run"] = run, ["error"] = $"{e.GetType().Name}: {e.Message}",
                        });
                    }
                }
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }

    private static JsonObject Ours(TextSet set, TimeSpan budget, JsonObject changes, int seed, int evaluationParts,
        string[] dynamicSpecs, string? savePath, string? loadPath)
    {
        var ml = new MLContext(seed: seed);
        ml.Log += (_, e) =>
        {
            if (e.Kind >= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("LanguageModel", StringComparison.Ordinal))
                Console.Error.WriteLine($"[{set.Name} seed {seed}] {e.Message}");
        };
        IDataView train = ml.Data.LoadFromEnumerable(set.Train.Select(p => new TextRow { Text = p }));
        IDataView heldOut = ml.Data.LoadFromEnumerable(set.HeldOut.Select(p => new TextRow { Text = p }));
        var result = new JsonObject();
        ITransformer tokenizer;
        LanguageModelTransformer lm;
        if (loadPath is not null)
        {
            var chain = (TransformerChain<ITransformer>)ml.Model.Load(loadPath, out _);
            tokenizer = chain.First();
            lm = chain.OfType<LanguageModelTransformer>().Single();
            result["loaded_model"] = loadPath;
            Console.Error.WriteLine($"[lm] {set.Name}: scoring the saved model {loadPath}");
        }
        else
        {
            tokenizer = ml.Transforms.Text.TokenizeToIds(Tokens, Text, new TokenizerOptions { Mode = TokenizerMode.Character }).Fit(train);
            var options = new LanguageModelOptions { Corpus = LanguageModelCorpus.Continuous, MaximumTrainingTime = budget };
            OptionsJson.Apply(options, changes, "--options");
            JsonObject effective = OptionsJson.Snapshot(options);
            options.Progress = new Progress(p =>
            {
                if (p.IsEpochEnd)
                    Console.Error.WriteLine($"[{set.Name} seed {seed}] epoch {p.Epoch}: train {p.TrainLoss / Math.Log(2):F3} bits/char, {p.SamplesPerSecond:N0} chars/s, learning rate {p.LearningRate:G3}, {p.Elapsed:mm\\:ss}");
            });
            Console.Error.WriteLine($"[lm] {set.Name}: training on {set.TrainCharacters:N0} characters for at most {budget:hh\\:mm\\:ss} (options changed: {(changes.Count == 0 ? "none" : changes.ToJsonString())})");

            var trainClock = Stopwatch.StartNew();
            lm = ml.Transforms.Text.TrainLanguageModel(options).Fit(tokenizer.Transform(train));
            var epochs = lm.TrainingHistory.Where(p => p.IsEpochEnd).ToList();
            TrainingProgress last = epochs[^1];
            result["fit_s"] = trainClock.Elapsed.TotalSeconds;
            result["budget_minutes"] = budget.TotalMinutes;
            result["epochs_run"] = epochs.Count;
            result["epochs_seen"] = last.Epoch - 1 + (double)last.Batch / Math.Max(1, last.BatchesPerEpoch);
            result["final_train_bits_per_char"] = last.TrainLoss / Math.Log(2);
            result["train_chars_per_s"] = epochs.Average(p => p.SamplesPerSecond);
            result["options_changed"] = changes.DeepClone();
            result["options"] = effective;
            if (savePath is not null)
            {
                ml.Model.Save(new TransformerChain<ITransformer>(tokenizer, lm), train.Schema, savePath);
                result["saved_model"] = savePath;
            }
        }

        using (lm)
        {
            IDataView heldOutTokens = tokenizer.Transform(heldOut);
            var clock = Stopwatch.StartNew();
            LanguageModelMetrics metrics = lm.Evaluate(heldOutTokens, Text, batchSize: evaluationParts, corpus: LanguageModelCorpus.Continuous);
            result["bits_per_char"] = metrics.BitsPerToken;
            result["predicted_chars"] = metrics.TokenCount;
            result["evaluate_s"] = clock.Elapsed.TotalSeconds;
            result["parameters"] = lm.NumberOfParameters;
            result["vocabulary"] = lm.VocabularySize;
            result["evaluation_parts"] = evaluationParts;
            var dynamic = new JsonArray();
            foreach (string spec in dynamicSpecs)
            {
                JsonObject dynamicChanges = spec == "default" ? [] : ParseOverrides(spec);
                var dynamicOptions = OptionsJson.Apply(new DynamicEvaluationOptions(), dynamicChanges, "--dynamic");
                clock.Restart();
                LanguageModelMetrics adapted = lm.EvaluateDynamic(heldOutTokens, Text, dynamicOptions);
                double seconds = clock.Elapsed.TotalSeconds;
                Console.Error.WriteLine($"[lm] {set.Name}: dynamic evaluation {(dynamicChanges.Count == 0 ? "(defaults)" : dynamicChanges.ToJsonString())}: {adapted.BitsPerToken:F4} bits/char ({seconds:F0} s)");
                dynamic.Add(new JsonObject
                {
                    ["bits_per_char"] = adapted.BitsPerToken,
                    ["evaluate_s"] = seconds,
                    ["options_changed"] = dynamicChanges.DeepClone(),
                    ["options"] = OptionsJson.Snapshot(dynamicOptions),
                });
            }
            if (dynamic.Count > 0)
                result["dynamic"] = dynamic;
        }
        return result;
    }

    private static JsonObject ParseOverrides(string spec)
    {
        string json = spec.TrimStart().StartsWith('{') ? spec : File.ReadAllText(spec);
        return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
            ?? throw new ArgumentException($"--options {spec}: not a JSON object of LanguageModelOptions names and values.");
    }

    private static string? LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Reports on the training thread (System.Progress would post to the thread pool).</summary>
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
