using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace MLNet.Recurrent.Benchmarks;

/// <summary>
/// Issue 18's side-by-side: the same model (1-layer LSTM-128, embedding 64, vocabulary 5,000, ~50-token rows) scored by
/// our TorchSharp path (batched <c>Transform</c>, <c>PredictionEngine</c>) and by ONNX Runtime on the graph
/// <c>ConvertToOnnx</c> exports (batches of <c>--batch</c> rows, and single rows), at the same thread count.
/// Interleaved repetitions; medians reported.
/// </summary>
public sealed class OnnxInferenceBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "onnx";

    /// <inheritdoc />
    public string Description => "TorchSharp vs ONNX Runtime: batched seq/s and single-row p50/p99, LSTM-128 on ~50 tokens (--rows 10000 --threads 1 --reps 5 --batch 64)";

    /// <inheritdoc />
    public int Run(BenchmarkArgs args)
    {
        int rows = args.GetInt("rows", 10_000);
        int threads = args.GetInt("threads", 1);
        int reps = args.GetInt("reps", 5);
        int batch = args.GetInt("batch", 64);
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

        byte[] onnx;
        using (var stream = new MemoryStream())
        {
            ml.Model.ConvertToOnnx(model, ml.Data.LoadFromEnumerable(data.Take(1)), stream, "Score");
            onnx = stream.ToArray();
        }
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(onnx, options);

        // Batches in the order of the data (ONNX Runtime pads each batch to its longest row; lengths here are 45–55).
        var batches = new List<(int[] Ids, int Rows, int Width)>();
        for (int start = 0; start < rows; start += batch)
        {
            var part = data.Skip(start).Take(batch).ToList();
            int width = part.Max(r => r.Tokens.Length);
            var ids = new int[part.Count * width];
            for (int i = 0; i < part.Count; i++)
                part[i].Tokens.CopyTo(ids, i * width);
            batches.Add((ids, part.Count, width));
        }

        float[] onnxScores = new float[rows];
        double OnnxPass()
        {
            long start = Stopwatch.GetTimestamp();
            int offset = 0;
            foreach (var (ids, n, width) in batches)
            {
                using var tokens = OrtValue.CreateTensorValueFromMemory(ids, new long[] { n, width });
                using var labels = OrtValue.CreateTensorValueFromMemory(new bool[n], new long[] { n, 1 });
                using var results = session.Run(new RunOptions(), new[] { "Tokens", "Label" }, new[] { tokens, labels }, new[] { "Score.output" });
                results[0].GetTensorDataAsSpan<float>().CopyTo(onnxScores.AsSpan(offset));
                offset += n;
            }
            return rows / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        float[] torchScores = new float[rows];
        double TorchPass()
        {
            long start = Stopwatch.GetTimestamp();
            IDataView scored = model.Transform(view);
            int n = 0;
            using (var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score")))
            {
                var getter = cursor.GetGetter<float>(scored.Schema["Score"]);
                float s = 0;
                while (cursor.MoveNext()) { getter(ref s); torchScores[n++] = s; }
            }
            return n / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        var torchThroughput = new List<double>();
        var onnxThroughput = new List<double>();
        TorchPass();
        OnnxPass(); // warm-up
        for (int r = 0; r < reps; r++)
        {
            torchThroughput.Add(TorchPass());
            onnxThroughput.Add(OnnxPass());
        }
        double maxDiff = torchScores.Zip(onnxScores, (a, b) => Math.Abs(a - b)).Max();

        using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var sample = data.Take(200).ToList();
        var torchLatency = new List<double>();
        var onnxLatency = new List<double>();
        foreach (Row row in sample)
        {
            engine.Predict(row);
            OnnxOne(session, row);
        }
        for (int r = 0; r < reps; r++)
        {
            foreach (Row row in sample)
            {
                long start = Stopwatch.GetTimestamp();
                engine.Predict(row);
                torchLatency.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                start = Stopwatch.GetTimestamp();
                OnnxOne(session, row);
                onnxLatency.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        Console.WriteLine($"LSTM-128 (1 layer, emb 64, vocab 5,000), ~50-token rows, {threads} thread(s), {Environment.ProcessorCount} cores; ONNX Runtime {OrtEnv.Instance().GetVersionString()}, batches of {batch}");
        Console.WriteLine($"batched: TorchSharp Transform median {Median(torchThroughput):N0} seq/s, ONNX Runtime median {Median(onnxThroughput):N0} seq/s " +
                          $"(ratio {Median(onnxThroughput) / Median(torchThroughput):F2}x) over {reps} interleaved passes of {rows:N0} rows; max |score diff| {maxDiff:G3}");
        Console.WriteLine($"single row: TorchSharp PredictionEngine p50 {Percentile(torchLatency, 0.5):F3} ms p99 {Percentile(torchLatency, 0.99):F3} ms; " +
                          $"ONNX Runtime p50 {Percentile(onnxLatency, 0.5):F3} ms p99 {Percentile(onnxLatency, 0.99):F3} ms over {onnxLatency.Count:N0} calls");
        return 0;
    }

    private static void OnnxOne(InferenceSession session, Row row)
    {
        using var tokens = OrtValue.CreateTensorValueFromMemory(row.Tokens, new long[] { 1, row.Tokens.Length });
        using var label = OrtValue.CreateTensorValueFromMemory(new bool[1], new long[] { 1, 1 });
        using var results = session.Run(new RunOptions(), new[] { "Tokens", "Label" }, new[] { tokens, label }, new[] { "Score.output" });
        _ = results[0].GetTensorDataAsSpan<float>()[0];
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];
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
