using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace MLNet.Recurrent.Benchmarks.Harness;

/// <summary>
/// <c>--suite lm</c>: a character language model with <c>TrainLanguageModel</c> (2-layer LSTM 256, embedding 64,
/// continuous corpus cut into 64-character windows, 32 streams, Adam 0.008 decaying linearly over the budget, clip 1)
/// trained on the Austen train paragraphs for a fixed time budget (smoke 10 s, quick 60 s, full 300 s), then scored on the
/// test paragraphs. Lines (model <c>char_lm</c>): <c>lm/bits_per_char</c> (held out), <c>lm/train_chars_per_s</c> (median
/// over epochs of the training loop's rate), <c>lm/generate_chars_per_s</c> (one stream, 2,000 characters, state
/// carried), <c>lm/train_s</c>, and the peak RSS. The same work as <c>benchmarks/pytorch/austen_char_lm.py</c>.
/// </summary>
public static class LanguageModelSuite
{
    /// <summary>Training budget of a mode.</summary>
    public static TimeSpan Budget(string mode) => mode switch { "smoke" => TimeSpan.FromSeconds(10), "full" => TimeSpan.FromSeconds(300), _ => TimeSpan.FromSeconds(60) };

    /// <summary>Runs the suite and writes its lines; returns the exit code.</summary>
    public static int Run(HarnessOptions o)
    {
        int t = o.Threads;
        torch.set_num_threads(t);
        var output = new HarnessOutput(o);
        output.AddEnvironment("torch_threads", torch.get_num_threads());
        var ml = new MLContext(seed: o.Seed);
        List<string> train = o.Subsample(AustenData.ReadTsv(Path.Combine(o.DataDirectory, "austen_train.tsv.gz"))).Select(p => p.Text + "\n").ToList();
        List<string> test = o.Subsample(AustenData.ReadTsv(Path.Combine(o.DataDirectory, "austen_test.tsv.gz"))).Select(p => p.Text + "\n").ToList();

        IDataView trainText = ml.Data.LoadFromEnumerable(train.Select(s => new TextRow { Text = s }).ToList());
        IDataView testText = ml.Data.LoadFromEnumerable(test.Select(s => new TextRow { Text = s }).ToList());
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character }).Fit(trainText);
        TimeSpan budget = Budget(o.Mode);
        var rates = new List<double>();
        var options = new LanguageModelOptions
        {
            InputColumnName = "Tokens",
            Cell = RecurrentCell.Lstm,
            EmbeddingSize = 64,
            HiddenSize = 256,
            NumberOfLayers = 2,
            Dropout = 0,
            RecurrentInitialization = RecurrentInitialization.PyTorch, // as the PyTorch script's nn.LSTM
            Corpus = LanguageModelCorpus.Continuous,
            SequenceLength = 64,
            BatchSize = 32,
            NumberOfEpochs = 1000,
            MaximumTrainingTime = budget,
            LearningRate = 0.008,
            LearningRateSchedule = LearningRateSchedule.LinearDecay,
            GradientClipNorm = 1.0,
            Device = "cpu",
            Seed = o.Seed,
            Progress = new ProgressCallback(p =>
            {
                if (!p.IsEpochEnd) return;
                rates.Add(p.SamplesPerSecond);
                HarnessOutput.Log($"char_lm epoch {p.Epoch}: train {p.TrainLoss / Math.Log(2):F3} bits/char, {p.SamplesPerSecond:N0} chars/s, {p.Elapsed:mm\\:ss}");
            }),
        };
        var clock = Stopwatch.StartNew();
        using LanguageModelTransformer lm = ml.Transforms.Text.TrainLanguageModel(options).Fit(tokenizer.Transform(trainText));
        double trainSeconds = clock.Elapsed.TotalSeconds;
        LanguageModelMetrics heldOut = lm.Evaluate(tokenizer.Transform(testText), textColumnName: "Text");

        var sampling = new GenerationOptions { Temperature = 0.8, Seed = 2 };
        const string prompt = "It is a truth universally acknowledged, that ";
        lm.Generate(prompt, 50, sampling); // warm-up
        clock.Restart();
        int generated = lm.Generate(prompt, 2000, sampling).Length;
        double generateSeconds = clock.Elapsed.TotalSeconds;

        const string model = "char_lm";
        // Bits per predicted character (= bits per token of a character model), the PyTorch script's definition.
        output.Emit("lm", model, t, "bits_per_char", heldOut.BitsPerToken,
            new { predicted_chars = heldOut.TokenCount, bits_per_text_char = heldOut.BitsPerCharacter, rows = heldOut.RowCount, budget_s = budget.TotalSeconds, epochs = rates.Count, what = "held-out test paragraphs, each scored from the initial state" });
        output.Emit("lm", model, t, "train_chars_per_s", rates.Count > 0 ? Stopwatches.Median(rates) : double.NaN, new { per_epoch = rates });
        output.Emit("lm", model, t, "train_s", trainSeconds, new { budget_s = budget.TotalSeconds });
        output.Emit("lm", model, t, "generate_chars_per_s", generated / generateSeconds, new { chars = generated, seconds = generateSeconds });
        output.Emit("rss", model, t, "peak_rss_mb", HarnessOutput.PeakRssMb());
        return 0;
    }
}
