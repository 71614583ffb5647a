using System.Diagnostics;
using Microsoft.ML;
using MLNet.Recurrent.Examples;

namespace MLNet.Recurrent.Benchmarks.CharLanguageModel;

/// <summary>
/// The character language-model comparison of docs/benchmarks.md (issue 4), moved here from the CharTextGeneration
/// example: a 2-layer LSTM (<c>TrainLanguageModel</c>, Continuous corpus) trained for a time budget on the Austen text
/// (or any text), held-out bits per character as one stream and paragraph by paragraph, samples at three temperatures,
/// save → reload → identical generation, generation speed, then the n-gram MLP baselines (the notebook's one-hot model
/// and an embedding MLP) with the same budget, optionally with their epochs chosen by early stopping on the last 5% of
/// the training text, and optionally the training throughput against a bare TorchSharp loop
/// (<see cref="TrainingThroughput"/>).
/// </summary>
public sealed class CharLanguageModelBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "charlm";

    /// <inheritdoc />
    public string Description => "character LSTM vs n-gram MLPs on a time budget (" + CharLanguageModelSettings.OptionsSummary + ")";

    /// <inheritdoc />
    public int Run(BenchmarkArgs args)
    {
        CharLanguageModelSettings a = CharLanguageModelSettings.From(args);
        if (a.Threads > 0)
            TorchSharp.torch.set_num_threads(a.Threads);
        Run(a, a.ResolveText());
        return 0;
    }

    private static void Run(CharLanguageModelSettings a, string textPath)
    {
        var ml = new MLContext(seed: a.Seed);
        var (trainParagraphs, heldOutParagraphs, documents) = TextCorpus.Load(textPath);
        CharTokenizer tokenizer = CharTokenizer.Learn(ml, trainParagraphs.Select(p => p.Text));
        Console.WriteLine($"Text: {textPath}");
        Console.WriteLine($"  {documents.Count} document(s): {string.Join(", ", documents)}");
        Console.WriteLine($"  training: {trainParagraphs.Count:N0} paragraphs, {trainParagraphs.Sum(p => (long)p.Text.Length):N0} characters; " +
                          $"held out (last 10% of each document): {heldOutParagraphs.Count:N0} paragraphs, {heldOutParagraphs.Sum(p => (long)p.Text.Length):N0} characters; " +
                          $"{tokenizer.VocabularySize} ids (<pad>, <unk>, {tokenizer.VocabularySize - 2} characters)");
        IDataView train = tokenizer.Tokenize(ml, trainParagraphs);
        IDataView heldOut = tokenizer.Tokenize(ml, heldOutParagraphs);
        var budget = TimeSpan.FromMinutes(a.Minutes);
        var lstmBudget = TimeSpan.FromMinutes(a.LstmMinutes ?? a.Minutes);

        // 1. The LSTM: rows in order form one continuous text; state carried across windows.
        Console.WriteLine();
        Console.WriteLine($"Training a {a.Layers}-layer LSTM ({a.HiddenSize} hidden) for at most {a.Epochs} epochs / {lstmBudget:mm\\:ss} (validation bits/char on the held-out text after every epoch)...");
        var options = LanguageModelOptions(a);
        options.ValidationSet = heldOut;
        options.MaximumTrainingTime = lstmBudget;
        var lastReport = Stopwatch.StartNew();
        int reportedBatches = 0;
        options.Progress = new ProgressCallback(p =>
        {
            if (p.IsEpochEnd)
            {
                Console.WriteLine($"  epoch {p.Epoch}: train {p.TrainLoss / Math.Log(2):F3} bits/char, validation {p.ValidationMetric:F3} bits/char, {p.SamplesPerSecond:N0} chars/s, {p.Elapsed:mm\\:ss} elapsed");
                reportedBatches = 0;
                lastReport.Restart();
            }
            else if (lastReport.Elapsed > TimeSpan.FromSeconds(30))
            {
                // Throughput over the last interval (the epoch-average figure hides a change of speed).
                double rate = (p.Batch - reportedBatches) * (double)a.BatchSize * a.SequenceLength / lastReport.Elapsed.TotalSeconds;
                reportedBatches = p.Batch;
                lastReport.Restart();
                Console.WriteLine($"    epoch {p.Epoch} batch {p.Batch}/{p.BatchesPerEpoch}: train {p.TrainLoss / Math.Log(2):F3} bits/char, {p.SamplesPerSecond:N0} chars/s in this epoch, {rate:N0} in the last interval");
            }
        });
        var clock = Stopwatch.StartNew();
        using LanguageModelTransformer lstm = ml.Transforms.Text.TrainLanguageModel(options).Fit(train);
        TimeSpan lstmTime = clock.Elapsed;
        // Held-out text scored as one continuous stream (the state carried from paragraph to paragraph, as in training),
        // and, for comparison, paragraph by paragraph from the initial state (the transformer's per-row columns).
        clock.Restart();
        LanguageModelMetrics lstmMetrics = lstm.Evaluate(heldOut, textColumnName: "Text", corpus: LanguageModelCorpus.Continuous);
        TimeSpan scoreTime = clock.Elapsed;
        LanguageModelMetrics lstmPerParagraph = lstm.Evaluate(heldOut, textColumnName: "Text");
        Console.WriteLine($"  trained in {lstmTime:mm\\:ss}; held-out as one continuous text (scored in {scoreTime.TotalSeconds:F1} s): {lstmMetrics}");
        Console.WriteLine($"  held-out paragraph by paragraph, each from the initial state: {lstmPerParagraph}");

        // 2. Sampling at three temperatures.
        Console.WriteLine();
        foreach (double temperature in new[] { 0.5, 0.8, 1.0 })
        {
            Console.WriteLine($"--- temperature {temperature}, seed {a.Seed} ---");
            Console.Write(a.Prompt);
            foreach (string piece in lstm.GenerateStreaming(a.Prompt, 300, new GenerationOptions { Temperature = temperature, Seed = a.Seed }))
                Console.Write(piece);
            Console.WriteLine();
        }

        // 3. Save, reload in a fresh MLContext, generate again with the same seed.
        Console.WriteLine();
        var sampling = new GenerationOptions { Temperature = 0.8, Seed = a.Seed };
        string before = lstm.Generate(a.Prompt, 300, sampling);
        ml.Model.Save(lstm, train.Schema, a.ModelPath);
        using var reloaded = (LanguageModelTransformer)new MLContext().Model.Load(a.ModelPath, out _);
        string after = reloaded.Generate(a.Prompt, 300, sampling);
        Console.WriteLine($"Saved {a.ModelPath} ({new FileInfo(a.ModelPath).Length / 1024:N0} KiB), reloaded it in a new MLContext and generated 300 characters with seed {a.Seed}: " +
                          (before == after ? "identical text." : "DIFFERENT text!"));
        if (before != after)
            throw new InvalidOperationException("The reloaded model generated different text with the same seed.");

        // 4. Generation speed: one stream, state carried.
        reloaded.Generate(a.Prompt, 50, sampling);
        clock.Restart();
        int generated = reloaded.Generate(a.Prompt, 2000, new GenerationOptions { Temperature = 0.8, Seed = 2 }).Length;
        Console.WriteLine($"Generation speed ({a.Layers}×{a.HiddenSize} LSTM, one stream, CPU): {generated / clock.Elapsed.TotalSeconds:N0} chars/s ({generated} chars in {clock.Elapsed.TotalSeconds:F2} s)");

        // 5. The n-gram MLP baseline(s), same time budget each, same held-out characters.
        if (a.Baseline != "none")
        {
            // The baselines see the text as the LSTM does: one continuous stream, contexts running across paragraphs.
            List<int[]> trainIds = Stream(Ids(ml, train)), heldOutIds = Stream(Ids(ml, heldOut));
            long characters = heldOutParagraphs.Sum(p => (long)p.Text.Length);
            var results = new List<(string Name, LanguageModelMetrics Metrics)>();
            foreach (string kind in a.Baseline == "both" ? new[] { "notebook", "embedding" } : new[] { a.Baseline })
            {
                int epochs = a.MlpEarlyStopping ? BestNGramEpochs(kind, trainIds, tokenizer.VocabularySize, a, budget) : a.Epochs;
                TorchSharp.torch.manual_seed(a.Seed);
                using NGramModel ngram = NewNGram(kind, trainIds, tokenizer.VocabularySize, a.NGram);
                Console.WriteLine();
                Console.WriteLine($"Training the baseline: {ngram.Description}, for at most {epochs} epochs / {budget:mm\\:ss}...");
                NGramBaseline.Train(ngram, trainIds, budget, epochs, a.Seed, EveryHalfMinute());
                var (ll, count) = NGramBaseline.Evaluate(ngram, heldOutIds);
                results.Add((ngram.Description, LanguageModelMetrics.FromTotals(ll, count, heldOutParagraphs.Count, characters)));
            }
            Console.WriteLine();
            Console.WriteLine($"Held-out bits per character, the held-out text read as one stream ({lstmMetrics.TokenCount:N0} predicted characters, the same for every model; LSTM {lstmBudget:mm\\:ss}, baselines {budget:mm\\:ss} at most):");
            Console.WriteLine($"  {lstmMetrics.BitsPerToken,6:F3}  {a.Layers}-layer LSTM ({a.HiddenSize} hidden), TrainLanguageModel");
            foreach (var (name, metrics) in results)
                Console.WriteLine($"  {metrics.BitsPerToken,6:F3}  {name}   (LSTM better by {metrics.BitsPerToken - lstmMetrics.BitsPerToken:F3})");
        }

        if (a.ThroughputBatches > 0)
        {
            Console.WriteLine();
            TrainingThroughput.Run(ml, Ids(ml, train).SelectMany(r => r).ToArray(), tokenizer, a, a.ThroughputBatches);
        }
    }

    /// <summary>The language-model options this example uses (also for the throughput comparison).</summary>
    internal static LanguageModelOptions LanguageModelOptions(CharLanguageModelSettings a) => new()
    {
        InputColumnName = "Tokens",
        Cell = RecurrentCell.Lstm,
        EmbeddingSize = a.EmbeddingSize,
        HiddenSize = a.HiddenSize,
        NumberOfLayers = a.Layers,
        Dropout = a.Dropout,
        RecurrentInitialization = a.Initialization == "pytorch" ? RecurrentInitialization.PyTorch : RecurrentInitialization.Keras,
        Corpus = LanguageModelCorpus.Continuous,
        SequenceLength = a.SequenceLength,
        BatchSize = a.BatchSize,
        NumberOfEpochs = a.Epochs,
        LearningRate = a.LearningRate,
        LearningRateSchedule = a.Schedule switch { "linear" => LearningRateSchedule.LinearDecay, "cosine" => LearningRateSchedule.Cosine, _ => LearningRateSchedule.Constant },
        WarmupSteps = a.WarmupSteps,
        AdamBeta2 = a.AdamBeta2,
        GradientClipNorm = a.ClipNorm,
        Device = "auto",
        Seed = a.Seed,
    };

    private static NGramModel NewNGram(string kind, List<int[]> trainIds, int vocabularySize, int n) => kind == "notebook"
        ? new OneHotNGramMlp(trainIds, vocabularySize, n)
        : new EmbeddingNGramMlp(vocabularySize, n);

    /// <summary>
    /// Early stopping for the n-gram MLP without looking at the held-out text: trains on the first 95% of the training
    /// stream, scores the last 5% after every epoch, and returns the epoch count that scored best (stopping after two
    /// epochs without improvement). The caller then retrains on the whole stream for that many epochs.
    /// </summary>
    private static int BestNGramEpochs(string kind, List<int[]> trainIds, int vocabularySize, CharLanguageModelSettings a, TimeSpan budget)
    {
        int[] stream = trainIds[0];
        int cut = (int)(stream.Length * 0.95);
        var fit = new List<int[]> { stream[..cut] };
        var check = new List<int[]> { stream[(cut - a.NGram)..] };
        TorchSharp.torch.manual_seed(a.Seed);
        using NGramModel probe = NewNGram(kind, fit, vocabularySize, a.NGram);
        Console.WriteLine();
        Console.WriteLine($"Choosing the epochs of the {kind} baseline: training on the first 95% of the training text, scoring the last 5% after every epoch...");
        int best = 1;
        double bestBits = double.PositiveInfinity;
        NGramBaseline.Train(probe, fit, budget, a.Epochs, a.Seed, null, epoch =>
        {
            var (ll, count) = NGramBaseline.Evaluate(probe, check);
            // The check part starts NGram characters before the cut, so the characters after it are scored with their full context.
            double bits = -ll / Math.Log(2) / count;
            Console.WriteLine($"  epoch {epoch}: {bits:F3} bits/char on the last 5% of the training text");
            if (bits < bestBits) (best, bestBits) = (epoch, bits);
            return epoch - best < 2;
        });
        Console.WriteLine($"  best: {best} epoch(s)");
        return best;
    }

    /// <summary>The rows concatenated in order, as one row.</summary>
    private static List<int[]> Stream(List<int[]> rows) => new() { rows.SelectMany(r => r).ToArray() };

    private static List<int[]> Ids(MLContext ml, IDataView data) =>
        ml.Data.CreateEnumerable<TokenRow>(data, reuseRowObject: false).Select(r => r.Tokens).ToList();

    private sealed class TokenRow
    {
        public int[] Tokens { get; set; } = Array.Empty<int>();
    }

    /// <summary>Prints the n-gram trainer's status line about every 30 seconds.</summary>
    private static Action<double, string> EveryHalfMinute()
    {
        var clock = Stopwatch.StartNew();
        return (_, status) =>
        {
            if (clock.Elapsed < TimeSpan.FromSeconds(30))
                return;
            clock.Restart();
            Console.WriteLine("  n-gram " + status);
        };
    }
}
