using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Benchmarks;

/// <summary>
/// Long runs must not grow and carried state must stay cheap — measured here, not in timed unit tests:
/// resident memory (after full collections) before and after many batched and single-row predictions, after many
/// epochs of tiny training, and after loading many models that are never disposed (their native memory must be
/// released when they are collected), and the cost of generating after a long prompt against a short one (the state is
/// carried, so a long prompt is read once). Prints each figure; exits 1 when one passes its bound
/// (<c>--max-growth-mb</c>, default 100; generation: 5× + 0.2 s), so <c>.ci/run</c> can run it as a guard.
/// </summary>
public sealed class StabilityBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "stability";

    /// <inheritdoc />
    public string Description => "RSS growth over predictions, epochs and undisposed model loads, generation cost after a long prompt (--predictions 10000 --epochs 100 --loads 600 --max-growth-mb 100)";

    /// <inheritdoc />
    public int Run(BenchmarkArgs args)
    {
        int predictions = args.GetInt("predictions", 10_000);
        int epochs = args.GetInt("epochs", 100);
        int loads = args.GetInt("loads", 600);
        int maxGrowth = args.GetInt("max-growth-mb", 100);
        TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(1);
        bool ok = true;
        ok &= Check("prediction RSS growth", PredictionGrowthMb(predictions), maxGrowth, "MB");
        ok &= Check("training RSS growth", TrainingGrowthMb(epochs), maxGrowth / 2, "MB");
        ok &= Check($"RSS growth over {loads} loaded models never disposed", LoadAndDropGrowthMb(loads), maxGrowth / 2, "MB");
        var (shortPrompt, longPrompt) = GenerationSeconds();
        ok &= Check("generation after a 2,000-token prompt", longPrompt, shortPrompt * 5 + 0.2, "s", $"(after a 2-token prompt: {shortPrompt:F3} s)");
        return ok ? 0 : 1;
    }

    private static bool Check(string what, double value, double bound, string unit, string detail = "")
    {
        bool ok = value <= bound;
        Console.WriteLine($"{what}: {value:F3} {unit} (bound {bound:F3} {unit}) {detail} {(ok ? "ok" : "FAILED")}");
        return ok;
    }

    private static double RssMb()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / (double)(1 << 20);
    }

    /// <summary>A 1-layer LSTM-128 over 5,000 ids: RSS after warm-up, then after <paramref name="count"/> batched and count/10 single-row predictions.</summary>
    private static double PredictionGrowthMb(int count)
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(7);
        var rows = Enumerable.Range(0, 2000).Select(_ => new Row
        {
            Tokens = Enumerable.Range(0, rng.Next(40, 61)).Select(_ => rng.Next(2, 5000)).ToArray(),
            Label = rng.Next(2) == 0,
        }).ToList();
        using var model = ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { HiddenSize = 128, EmbeddingSize = 64, NumberOfEpochs = 1, Seed = 1 })
            .Fit(ml.Data.LoadFromEnumerable(rows.Take(256)));
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        Score(model.Transform(data));
        foreach (var r in rows.Take(200))
            engine.Predict(r);
        double before = RssMb();
        for (int scored = 0; scored < count; scored += rows.Count)
            Score(model.Transform(data));
        foreach (var r in Enumerable.Range(0, count / 10).Select(i => rows[i % rows.Count]))
            engine.Predict(r);
        return RssMb() - before;
    }

    /// <summary>Tiny training: RSS after a 10-epoch run, then after an <paramref name="epochs"/>-epoch run with validation.</summary>
    private static double TrainingGrowthMb(int epochs)
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(44);
        var rows = Enumerable.Range(0, 64).Select(_ => new Row
        {
            Tokens = Enumerable.Range(0, rng.Next(2, 11)).Select(_ => rng.Next(2, 8)).ToArray(),
            Label = rng.Next(2) == 0,
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var options = new RecurrentTrainerOptions { EmbeddingSize = 6, HiddenSize = 12, NumberOfEpochs = 10, LearningRate = 0.02, Seed = 5, ValidationFraction = 0.25, EarlyStoppingPatience = 1000 };
        using (ml.BinaryClassification.Trainers.Recurrent(options).Fit(data)) { }
        double before = RssMb();
        options.NumberOfEpochs = epochs;
        using (ml.BinaryClassification.Trainers.Recurrent(options).Fit(data)) { }
        return RssMb() - before;
    }

    /// <summary>
    /// A classifier (LSTM-128 over 2,000 ids, ~0.4 M weights) and a language model saved once, then loaded
    /// <paramref name="count"/> times each, used for one prediction and dropped without <c>Dispose</c>: RSS after a
    /// warm-up of 20 loads, then after the rest. Before models released their native memory when collected, 600 such
    /// classifier loads kept ~0.4 MB each (issue 19: 158 → 416 MB).
    /// </summary>
    private static double LoadAndDropGrowthMb(int count)
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(9);
        var rows = Enumerable.Range(0, 128).Select(_ => new Row
        {
            Tokens = Enumerable.Range(0, rng.Next(5, 30)).Select(_ => rng.Next(2, 2000)).ToArray(),
            Label = rng.Next(2) == 0,
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var classifier = new MemoryStream();
        using (var model = ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { HiddenSize = 128, EmbeddingSize = 64, NumberOfEpochs = 1, Seed = 1 }).Fit(data))
            ml.Model.Save(model, data.Schema, classifier);
        var texts = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => new TextRow { Text = string.Concat(Enumerable.Repeat("abcd", 10))[(i % 4)..] }).ToList());
        var languageModel = new MemoryStream();
        using (var lm = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character })
            .Append(ml.Transforms.Text.TrainLanguageModel(new LanguageModelOptions { EmbeddingSize = 16, HiddenSize = 64, NumberOfLayers = 1, NumberOfEpochs = 1, Seed = 1 }))
            .Fit(texts))
            ml.Model.Save(lm, texts.Schema, languageModel);

        void LoadUseAndDrop()
        {
            var fresh = new MLContext(seed: 1);
            ITransformer model = fresh.Model.Load(new MemoryStream(classifier.ToArray()), out _);
            fresh.Model.CreatePredictionEngine<Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false }).Predict(rows[0]);
            var chain = (TransformerChain<ITransformer>)fresh.Model.Load(new MemoryStream(languageModel.ToArray()), out _);
            ((LanguageModelTransformer)chain.LastTransformer).Generate("ab", 5, new GenerationOptions { Seed = 1 });
        }

        for (int i = 0; i < 20; i++)
            LoadUseAndDrop();
        double before = RssMb();
        for (int i = 20; i < count; i++)
            LoadUseAndDrop();
        return RssMb() - before;
    }

    /// <summary>Seconds to generate 400 characters after a 2-character and after a 2,000-character prompt.</summary>
    private static (double Short, double Long) GenerationSeconds()
    {
        var ml = new MLContext(seed: 1);
        var texts = Enumerable.Range(0, 40).Select(i => new TextRow { Text = string.Concat(Enumerable.Repeat("abcd", 10))[(i % 4)..] }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(texts);
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character })
            .Append(ml.Transforms.Text.TrainLanguageModel(new LanguageModelOptions { EmbeddingSize = 8, HiddenSize = 32, NumberOfLayers = 1, NumberOfEpochs = 3, SequenceLength = 16, Seed = 1 }))
            .Fit(data);
        using var lm = model.LastTransformer;
        var greedy = new GenerationOptions { Temperature = 0 };
        lm.Generate("ab", 50, greedy);
        long start = Stopwatch.GetTimestamp();
        lm.Generate("ab", 400, greedy);
        double shortPrompt = Stopwatch.GetElapsedTime(start).TotalSeconds;
        start = Stopwatch.GetTimestamp();
        lm.Generate(string.Concat(Enumerable.Repeat("abcd", 500)), 400, greedy);
        return (shortPrompt, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static void Score(IDataView scored)
    {
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score"));
        var getter = cursor.GetGetter<float>(scored.Schema["Score"]);
        float value = 0;
        while (cursor.MoveNext())
            getter(ref value);
    }

    private sealed class Row
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
