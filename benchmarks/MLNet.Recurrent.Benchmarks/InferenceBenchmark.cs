using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace MLNet.Recurrent.Benchmarks;

/// <summary>
/// Issue 3's inference goals: batched <c>Transform</c> throughput (sequences/s) and <c>PredictionEngine</c> latency
/// p50/p99 for a 1-layer LSTM-128 (embedding 64, vocabulary 5,000) on ~50-token inputs. The model is trained for one
/// short epoch on random rows first: weights don't change the cost of inference.
/// </summary>
public sealed class InferenceBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "infer";

    /// <inheritdoc />
    public string Description => "batched Transform seq/s and PredictionEngine p50/p99 for LSTM-128 on ~50 tokens (--rows 10000 --threads 1 --reps 5)";

    /// <inheritdoc />
    public int Run(BenchmarkArgs args)
    {
        int rows = args.GetInt("rows", 10_000);
        int threads = args.GetInt("threads", 1);
        int reps = args.GetInt("reps", 5);
        var ml = new MLContext(seed: 1);
        var rng = new Random(1);
        var data = Enumerable.Range(0, rows).Select(_ => new Row
        {
            Tokens = Enumerable.Range(0, rng.Next(45, 56)).Select(_ => rng.Next(2, 5000)).ToArray(),
            Label = rng.Next(2) == 0,
        }).ToList();
        IDataView view = ml.Data.LoadFromEnumerable(data);
        using var model = ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions
        {
            EmbeddingSize = 64, HiddenSize = 128, NumberOfEpochs = 1, BatchSize = 64, NumberOfThreads = threads,
        }).Fit(ml.Data.LoadFromEnumerable(data.Take(512)));
        torch.set_num_threads(threads);

        var throughput = new List<double>();
        for (int r = 0; r < reps + 1; r++)
        {
            long start = Stopwatch.GetTimestamp();
            IDataView scored = model.Transform(view);
            int n = 0;
            using (var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score")))
            {
                var getter = cursor.GetGetter<float>(scored.Schema["Score"]);
                float s = 0;
                while (cursor.MoveNext()) { getter(ref s); n++; }
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (r > 0) throughput.Add(n / seconds); // first pass is warm-up
        }

        using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var sample = data.Take(200).ToList();
        foreach (Row row in sample) engine.Predict(row);
        var latencies = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            foreach (Row row in sample)
            {
                long start = Stopwatch.GetTimestamp();
                engine.Predict(row);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        throughput.Sort();
        latencies.Sort();
        double p50 = latencies[latencies.Count / 2], p99 = latencies[(int)(latencies.Count * 0.99)];
        Console.WriteLine($"LSTM-128 (1 layer, emb 64, vocab 5,000), ~50-token rows, {threads} libtorch thread(s), {Environment.ProcessorCount} cores");
        Console.WriteLine($"batched Transform: median {throughput[throughput.Count / 2]:N0} seq/s (min {throughput[0]:N0}, max {throughput[^1]:N0}) over {reps} passes of {rows:N0} rows");
        Console.WriteLine($"PredictionEngine.Predict: p50 {p50:F3} ms, p99 {p99:F3} ms over {latencies.Count:N0} calls");
        return 0;
    }

    private sealed class Row
    {
        [VectorType]
        public int[] Tokens { get; set; } = Array.Empty<int>();

        public bool Label { get; set; }
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }
}
