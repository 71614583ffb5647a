using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Benchmarks;

/// <summary>
/// Issue 3's pipeline-overhead figure: time per training epoch of <c>MulticlassClassification.Trainers.Recurrent</c>
/// against a bare TorchSharp loop over pre-built tensors of the same batches (the same bucketing, padding and packing),
/// the same network (<see cref="RecurrentSequenceModel"/>), the same optimizer, loss and clipping, in the same process.
/// Rounds alternate which side goes first (bare then trainer, trainer then bare, ...); each side reports the median epoch time of its epochs. The Austen
/// train paragraphs are tokenized once (TokenizeToIds Word, minimum frequency 2, first 160 words) and cached, so neither
/// side pays for tokenization inside an epoch.
/// </summary>
public sealed class OverheadBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "overhead";

    /// <inheritdoc />
    public string Description => "trainer epoch time vs a bare TorchSharp loop over the same pre-built batches, after one warm-up epoch of each (--model book|lstm1 --epochs 2 --rounds 3 --threads 1)";

    /// <inheritdoc />
    public int Run(BenchmarkArgs args)
    {
        string modelName = args.Get("model", "book");
        int epochs = args.GetInt("epochs", 2);
        int rounds = args.GetInt("rounds", 3);
        int threads = args.GetInt("threads", 1);
        const int seed = 1, batchSize = 64;
        torch.set_num_threads(threads);
        var encoder = modelName switch
        {
            // The BookClassifier example's architecture (without the validation split).
            "book" => new RecurrentEncoderOptions { EmbeddingSize = 256, HiddenSize = 64, Cell = RecurrentCell.Lstm, Bidirectional = true, Pooling = SequencePooling.Max, Dropout = 0.5 },
            "lstm1" => new RecurrentEncoderOptions { EmbeddingSize = 64, HiddenSize = 128, Cell = RecurrentCell.Lstm, Pooling = SequencePooling.LastHidden },
            _ => throw new ArgumentException($"--model must be book or lstm1, not '{modelName}'."),
        };

        var ml = new MLContext(seed: seed);
        string folder = AustenData.Folder();
        IDataView raw = ml.Data.LoadFromEnumerable(AustenData.ReadTsv(Path.Combine(folder, "austen_train.tsv.gz")));
        ITransformer featurizer = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MinimumFrequency = 2, MaximumLength = 160 }))
            .Fit(raw);
        IDataView data = ml.Data.Cache(featurizer.Transform(raw), "Tokens", "Label");
        List<Row> rows = ml.Data.CreateEnumerable<Row>(data, reuseRowObject: false).ToList();
        VBuffer<ReadOnlyMemory<char>> vocabulary = default;
        data.Schema["Tokens"].Annotations.GetValue("Vocabulary", ref vocabulary);
        encoder = encoder with { VocabularySize = vocabulary.Length };
        int classes = rows.Max(r => (int)r.Label);

        var trainerOptions = new RecurrentTrainerOptions
        {
            Cell = encoder.Cell, EmbeddingSize = encoder.EmbeddingSize, HiddenSize = encoder.HiddenSize, NumberOfLayers = encoder.NumberOfLayers,
            Bidirectional = encoder.Bidirectional, Pooling = encoder.Pooling, Dropout = encoder.Dropout,
            BatchSize = batchSize, NumberOfEpochs = epochs, LearningRate = 2e-3, Optimizer = OptimizerKind.Adam, GradientClipNorm = 5,
            BucketByLength = true, Device = "cpu", NumberOfThreads = threads, Seed = seed,
        };
        Console.WriteLine($"{rows.Count:N0} Austen paragraphs (≤ 160 words), vocabulary {encoder.VocabularySize:N0}, {classes} classes; model '{modelName}': " +
                          $"emb {encoder.EmbeddingSize} → {(encoder.Bidirectional ? "bi" : "")}{encoder.Cell} {encoder.HiddenSize} → {encoder.Pooling}; " +
                          $"batch {batchSize}, {epochs} epoch(s) per round, {rounds} alternating rounds, {threads} libtorch thread(s), {Environment.ProcessorCount} cores");

        // One uncounted round of each side first: the first epochs of a process run ~20% slower on this machine
        // (allocator and page-cache warm-up), whichever side comes first.
        Stopwatches.Median(Bare(rows, encoder, classes, batchSize, 1, seed));
        trainerOptions.NumberOfEpochs = 1;
        using (ml.MulticlassClassification.Trainers.Recurrent(trainerOptions).Fit(data)) { }
        trainerOptions.NumberOfEpochs = epochs;
        var bare = new List<double>();
        var trainer = new List<double>();
        for (int round = 1; round <= rounds; round++)
        {
            // Alternate which side goes first, so neither always runs right after the other's allocations and GC.
            foreach (bool bareTurn in round % 2 == 1 ? new[] { true, false } : new[] { false, true })
            {
                if (bareTurn)
                {
                    double b = Stopwatches.Median(Bare(rows, encoder, classes, batchSize, epochs, seed));
                    bare.Add(b);
                    Console.WriteLine($"  round {round}: bare TorchSharp loop   {b:F2} s/epoch");
                    continue;
                }
                var epochSeconds = new List<double>();
                trainerOptions.Progress = new ProgressCallback(p => { if (p.IsEpochEnd) epochSeconds.Add(rows.Count / p.SamplesPerSecond); });
                using (ml.MulticlassClassification.Trainers.Recurrent(trainerOptions).Fit(data)) { }
                double t = Stopwatches.Median(epochSeconds);
                trainer.Add(t);
                Console.WriteLine($"  round {round}: Trainers.Recurrent     {t:F2} s/epoch");
            }
        }
        double bareMedian = Stopwatches.Median(bare), trainerMedian = Stopwatches.Median(trainer);
        // Paired ratios (trainer / bare within a round, the two run back to back) are steadier than ratios of medians
        // when the machine's speed drifts over minutes, as this VM's does.
        var paired = trainer.Zip(bare, (t, b) => t / b).ToList();
        Console.WriteLine($"median over rounds: bare {bareMedian:F2} s/epoch (min {bare.Min():F2}), trainer {trainerMedian:F2} s/epoch (min {trainer.Min():F2}) " +
                          $"→ overhead {trainerMedian / bareMedian:F3}x (best-of: {trainer.Min() / bare.Min():F3}x)");
        Console.WriteLine($"paired per-round ratios: {string.Join(", ", paired.Select(r => r.ToString("F3")))} → median {Stopwatches.Median(paired):F3}x");
        return 0;
    }

    /// <summary>Epoch times of a loop that only runs forward, loss, backward, clipping and Adam over pre-built batch tensors.</summary>
    private static List<double> Bare(List<Row> rows, RecurrentEncoderOptions encoder, int classes, int batchSize, int epochs, int seed)
    {
        using var generator = new Generator((ulong)seed);
        using var model = new RecurrentSequenceModel(encoder, classes, generator);
        var parameters = model.parameters().ToList();
        using var optimizer = optim.Adam(parameters, 2e-3);
        var times = new List<double>();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            // The batches of this epoch, built before the clock: the library's bucketing (shuffle, sort windows of
            // 50 batches by length, shuffle the batch order) and padding to each batch's longest row.
            var batches = Plan(rows, batchSize, seed, epoch).Select(b => Make(rows, b)).ToList();
            model.train();
            var clock = Stopwatch.StartNew();
            foreach (var (tokens, lengths, labels) in batches)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                Tensor loss = nn.functional.cross_entropy(model.call(tokens, lengths), labels);
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, 5);
                optimizer.step();
            }
            times.Add(clock.Elapsed.TotalSeconds);
            foreach (var (tokens, lengths, labels) in batches)
            {
                tokens.Dispose();
                lengths.Dispose();
                labels.Dispose();
            }
        }
        return times;
    }

    private static List<int[]> Plan(List<Row> rows, int batchSize, int seed, int epoch)
    {
        int n = rows.Count;
        int[] order = Enumerable.Range(0, n).ToArray();
        var rng = new Random(unchecked(seed * 7919 + epoch));
        rng.Shuffle(order);
        int window = batchSize * 50;
        for (int start = 0; start < n; start += window)
        {
            int[] sorted = order.AsSpan(start, Math.Min(window, n - start)).ToArray().OrderBy(i => rows[i].Tokens.Length).ToArray();
            sorted.CopyTo(order, start);
        }
        var plan = new List<int[]>();
        for (int start = 0; start < n; start += batchSize)
            plan.Add(order.AsSpan(start, Math.Min(batchSize, n - start)).ToArray());
        rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(plan));
        return plan;
    }

    private static (Tensor Tokens, Tensor Lengths, Tensor Labels) Make(List<Row> rows, int[] batch)
    {
        int width = Math.Max(1, batch.Max(r => rows[r].Tokens.Length));
        long[] ids = new long[batch.Length * width];
        long[] lengths = new long[batch.Length];
        long[] labels = new long[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            int[] s = rows[batch[i]].Tokens;
            lengths[i] = s.Length;
            labels[i] = rows[batch[i]].Label - 1;
            for (int t = 0; t < s.Length; t++)
                ids[i * width + t] = s[t];
        }
        return (tensor(ids, new long[] { batch.Length, width }), tensor(lengths), tensor(labels));
    }

    private sealed class Row
    {
        [VectorType]
        public int[] Tokens { get; set; } = Array.Empty<int>();

        [KeyType(6)]
        public uint Label { get; set; }
    }
}
