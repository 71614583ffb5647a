using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;

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
/// on top of that (the side is then <c>ours</c> and the line lists them).
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
        var sevenZipOption = new Option<string>("--seven-zip") { Description = "The 7-Zip command.", DefaultValueFactory = _ => "7z" };
        var orderOption = new Option<int>("--ppmd-order") { Description = "PPMd model order.", DefaultValueFactory = _ => 10 };
        var memoryOption = new Option<string>("--ppmd-memory") { Description = "PPMd model memory (7-Zip syntax).", DefaultValueFactory = _ => "256m" };

        var command = new Command("lm", "Language-model suite: held-out bits/char of a character model with the library's defaults, and of PPMd (7-Zip), on each text.")
        {
            textOption, sideOption, minutesOption, seedOption, runOption, optionsOption, partsOption, sevenZipOption, orderOption, memoryOption,
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
                            : Ours(set, TimeSpan.FromMinutes(parse.GetValue(minutesOption)), changes, seed, parse.GetValue(partsOption));
                        string sideName = side == "ours" && changes.Count == 0 ? "ours-defaults" : side;
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

    private static JsonObject Ours(TextSet set, TimeSpan budget, JsonObject changes, int seed, int evaluationParts)
    {
        var ml = new MLContext(seed: seed);
        ml.Log += (_, e) =>
        {
            if (e.Kind >= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("LanguageModel", StringComparison.Ordinal))
                Console.Error.WriteLine($"[{set.Name} seed {seed}] {e.Message}");
        };
        IDataView train = ml.Data.LoadFromEnumerable(set.Train.Select(p => new TextRow { Text = p }));
        IDataView heldOut = ml.Data.LoadFromEnumerable(set.HeldOut.Select(p => new TextRow { Text = p }));
        var tokenizer = ml.Transforms.Text.TokenizeToIds(Tokens, Text, new TokenizerOptions { Mode = TokenizerMode.Character }).Fit(train);

        var options = new LanguageModelOptions { Corpus = LanguageModelCorpus.Continuous, MaximumTrainingTime = budget };
        OptionsJson.Apply(options, changes, "--options");
        JsonObject effective = OptionsJson.Snapshot(options);
        options.Progress = new Progress(p =>
        {
            if (p.IsEpochEnd)
                Console.Error.WriteLine($"[{set.Name} seed {seed}] epoch {p.Epoch}: train {p.TrainLoss / Math.Log(2):F3} bits/char, {p.SamplesPerSecond:N0} chars/s, learning rate {p.LearningRate:G3}, {p.Elapsed:mm\\:ss}");
        });
        Console.Error.WriteLine($"[lm] {set.Name}: training on {set.TrainCharacters:N0} characters for at most {budget:hh\\:mm\\:ss} (options changed: {(changes.Count == 0 ? "none" : changes.ToJsonString())})");

        var clock = Stopwatch.StartNew();
        using LanguageModelTransformer lm = ml.Transforms.Text.TrainLanguageModel(options).Fit(tokenizer.Transform(train));
        double fitSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        LanguageModelMetrics metrics = lm.Evaluate(tokenizer.Transform(heldOut), Text, batchSize: evaluationParts, corpus: LanguageModelCorpus.Continuous);
        double evaluateSeconds = clock.Elapsed.TotalSeconds;

        var epochs = lm.TrainingHistory.Where(p => p.IsEpochEnd).ToList();
        TrainingProgress last = epochs[^1];
        return new JsonObject
        {
            ["bits_per_char"] = metrics.BitsPerToken,
            ["predicted_chars"] = metrics.TokenCount,
            ["fit_s"] = fitSeconds,
            ["evaluate_s"] = evaluateSeconds,
            ["budget_minutes"] = budget.TotalMinutes,
            ["epochs_run"] = epochs.Count,
            ["epochs_seen"] = last.Epoch - 1 + (double)last.Batch / Math.Max(1, last.BatchesPerEpoch),
            ["final_train_bits_per_char"] = last.TrainLoss / Math.Log(2),
            ["train_chars_per_s"] = epochs.Average(p => p.SamplesPerSecond),
            ["parameters"] = lm.NumberOfParameters,
            ["vocabulary"] = lm.VocabularySize,
            ["evaluation_parts"] = evaluationParts,
            ["options_changed"] = changes.DeepClone(),
            ["options"] = effective,
        };
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
