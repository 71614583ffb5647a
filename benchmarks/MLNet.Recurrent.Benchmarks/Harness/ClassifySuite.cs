using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace MLNet.Recurrent.Benchmarks.Harness;

/// <summary>
/// <c>--suite classify</c>: the Austen task with MLNet.Recurrent, the same work as <c>benchmarks/pytorch/austen_lstm.py</c>
/// (benchmarks/README.md, "Same work on every side"): <c>MapValueToKey</c> + <c>TokenizeToIds</c> (Word mode: lower-cased,
/// runs of letters/digits, punctuation dropped; vocabulary of words seen at least twice) +
/// <c>MulticlassClassification.Trainers.Recurrent</c> (embedding 64 → LSTM 128, 1 layer or 2 bidirectional layers → last
/// hidden state → linear; Adam 2e-3, batch 64, no clipping, no dropout), then ML.NET's <c>Evaluate</c>, batched
/// <c>Transform</c> from token ids, <c>PredictionEngine</c> latency and peak RSS.
/// </summary>
public static class ClassifySuite
{
    private const int LatencyWarmup = 20;

    // PredictionEngine disposes its transformer with itself by default; the model is used again after each engine.
    private static readonly PredictionEngineOptions NotOwned = new() { OwnsTransformer = false };

    /// <summary>Runs the suite and writes its lines; returns the exit code.</summary>
    public static int Run(HarnessOptions o)
    {
        // Start-up: runtime start + TorchSharp's native load (the PyTorch side reports `import torch`).
        var nativeLoad = Stopwatch.StartNew();
        torch.set_num_threads(o.Threads);
        using (torch.zeros(1)) { }
        nativeLoad.Stop();
        double startup = HarnessOutput.SecondsSinceProcessStart();
        var output = new HarnessOutput(o);
        output.AddEnvironment("torch_threads", torch.get_num_threads());
        int t = o.Threads;
        string model = o.Model;

        var ml = new MLContext(seed: o.Seed);
        var epochRates = new List<double>();
        var epochLosses = new List<double>();

        // ---- end-to-end clock: raw TSV.gz -> trained model ----
        var e2e = Stopwatch.StartNew();
        IDataView train = Load(ml, o, "austen_train.tsv.gz");
        var trainerOptions = new RecurrentTrainerOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Tokens",
            Cell = RecurrentCell.Lstm,
            EmbeddingSize = 64,
            HiddenSize = 128,
            NumberOfLayers = model == "bilstm2" ? 2 : 1,
            Bidirectional = model == "bilstm2",
            Pooling = SequencePooling.LastHidden,
            Dropout = 0,
            BatchSize = 64,
            MaximumSequenceLength = 0, // rows are as long as the tokenizer makes them (--max-len), as on the PyTorch side
            NumberOfEpochs = o.Epochs,
            LearningRate = 2e-3,
            Optimizer = OptimizerKind.Adam,
            GradientClipNorm = 0,
            Device = "cpu",
            NumberOfThreads = t,
            Seed = o.Seed,
            Progress = new ProgressCallback(p =>
            {
                if (!p.IsEpochEnd) return;
                epochRates.Add(p.SamplesPerSecond);
                epochLosses.Add(p.TrainLoss);
                HarnessOutput.Log($"{model} T={t} epoch {p.Epoch}/{p.TotalEpochs} loss {p.TrainLoss:F4} {p.SamplesPerSecond:F1} samples/s");
            }),
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", WordOptions(o.MaxLen)))
            .Append(ml.MulticlassClassification.Trainers.Recurrent(trainerOptions));
        using var fitted = (IDisposable)pipeline.Fit(train);
        double e2eSeconds = e2e.Elapsed.TotalSeconds;
        // ---- end of the end-to-end clock ----
        var chain = (TransformerChain<RecurrentPredictionTransformer>)fitted;

        IDataView test = Load(ml, o, "austen_test.tsv.gz");
        int trainRows = RowCount(train), testRows = RowCount(test); // after the clock: the TSV view needs a pass to count
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(chain.Transform(test));

        // Batched inference from token ids: tokenize the test set once (not timed), cache it, then score it.
        var tokenizer = new TransformerChain<ITransformer>(chain.Take(2).ToArray());
        IDataView ids = ml.Data.Cache(tokenizer.Transform(test), "Tokens", "Label");
        List<TokenRow> idRows = ml.Data.CreateEnumerable<TokenRow>(ids, reuseRowObject: false).ToList(); // also fills the cache
        RecurrentPredictionTransformer predictor = chain.LastTransformer;
        ScoreAll(predictor.Transform(ml.Data.TakeRows(ids, 256))); // warm-up batch
        var passSeconds = new List<double>();
        int scored = 0;
        for (int pass = 0; pass < Math.Max(1, o.InferPasses); pass++)
        {
            var batched = Stopwatch.StartNew();
            scored = ScoreAll(predictor.Transform(ids));
            passSeconds.Add(batched.Elapsed.TotalSeconds);
        }
        double inferSeconds = Median(passSeconds);

        // Single-row latency: PredictionEngine on token ids (as the PyTorch side calls model(x) on ids), test rows in order.
        double[] latency = Latency(ml.Model.CreatePredictionEngine<TokenRow, ClassPrediction>(predictor, NotOwned), idRows, o.LatencyCalls);
        // The same through the whole pipeline from raw text (what an application calls), for the detail field.
        List<AustenData.Paragraph> testText = o.Subsample(AustenData.ReadTsv(Path.Combine(o.DataDirectory, "austen_test.tsv.gz")));
        double[] textLatency = Latency(ml.Model.CreatePredictionEngine<AustenData.Paragraph, ClassPrediction>(chain, NotOwned), testText, o.LatencyCalls);

        // Tokenization + vocabulary + mapping of the train texts (text in memory), the same figure as the other sides.
        TokenizeMeasurement tok = TokenizeMeasurement.Measure(ml, o.Subsample(AustenData.ReadTsv(Path.Combine(o.DataDirectory, "austen_train.tsv.gz"))).Select(p => p.Text).ToList(), WordOptions(null), o.TokenizePasses);

        output.Emit("tokenize", "word", 1, "mb_per_s", tok.MegabytesPerSecond, tok.Detail);
        output.Emit("tokenize", "word", 1, "mb_per_s_first_pass", tok.FirstPassMegabytesPerSecond, new { what = "first full pass of the process, after a 200-row warm-up" });
        output.Emit("train", model, t, "samples_per_s", Median(epochRates), new { per_epoch = epochRates, loss_per_epoch = epochLosses, rows = trainRows });
        output.Emit("e2e", model, t, "wall_s", e2eSeconds, new { epochs = o.Epochs, rows = trainRows });
        output.Emit("e2e", model, t, "startup_s", startup, new { what = "runtime start + TorchSharp native load", native_load_s = nativeLoad.Elapsed.TotalSeconds });
        output.Emit("accuracy", model, t, "micro_accuracy", metrics.MicroAccuracy, new { rows = testRows, log_loss = metrics.LogLoss });
        output.Emit("accuracy", model, t, "macro_accuracy", metrics.MacroAccuracy);
        output.Emit("infer", model, t, "seq_per_s", scored / inferSeconds, new { rows = scored, seconds = inferSeconds, per_pass_s = passSeconds, what = "RecurrentPredictionTransformer.Transform over cached token ids, read through a cursor (scores in batches internally); median of the timed passes" });
        output.Emit("infer", model, t, "latency_p50_ms", Percentile(latency, 50), new { calls = latency.Length, from_text_p50_ms = Percentile(textLatency, 50), from_text_p99_ms = Percentile(textLatency, 99) });
        output.Emit("infer", model, t, "latency_p99_ms", Percentile(latency, 99), new { calls = latency.Length });
        output.Emit("rss", model, t, "peak_rss_mb", HarnessOutput.PeakRssMb());
        return 0;
    }

    /// <summary>Word mode with the harness's rules: lower-case, punctuation dropped, minimum frequency 2, no specials but pad/unk.</summary>
    public static TokenizerOptions WordOptions(int? maxLen) => new()
    {
        Mode = TokenizerMode.Word,
        Lowercase = true,
        KeepPunctuation = false,
        MinimumFrequency = 2,
        MaximumLength = maxLen,
    };

    private static IDataView Load(MLContext ml, HarnessOptions o, string file)
    {
        string path = Path.Combine(o.DataDirectory, file);
        // Without --max-rows, what a user of the library writes: the TSV loader streams the gzip file on every cursor pass.
        return ml.Data.LoadFromEnumerable(o.MaxRows is null ? AustenData.ReadTsv(path) : o.Subsample(AustenData.ReadTsv(path)));
    }

    private static int RowCount(IDataView view) => (int)(view.GetRowCount() ?? CountRows(view));

    private static long CountRows(IDataView view)
    {
        long n = 0;
        using DataViewRowCursor cursor = view.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext()) n++;
        return n;
    }

    private static int ScoreAll(IDataView scored)
    {
        DataViewSchema.Column score = scored.Schema["Score"], label = scored.Schema["PredictedLabel"];
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { score, label });
        ValueGetter<VBuffer<float>> getScore = cursor.GetGetter<VBuffer<float>>(score);
        ValueGetter<uint> getLabel = cursor.GetGetter<uint>(label);
        VBuffer<float> s = default;
        uint l = 0;
        int n = 0;
        while (cursor.MoveNext())
        {
            getScore(ref s);
            getLabel(ref l);
            n++;
        }
        return n;
    }

    private static double[] Latency<TIn>(PredictionEngine<TIn, ClassPrediction> engine, IReadOnlyList<TIn> rows, int calls) where TIn : class
    {
        using (engine)
        {
            for (int i = 0; i < LatencyWarmup; i++)
                engine.Predict(rows[i % rows.Count]);
            var ms = new double[calls];
            for (int i = 0; i < calls; i++)
            {
                TIn row = rows[i % rows.Count];
                long start = Stopwatch.GetTimestamp();
                engine.Predict(row);
                ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(ms);
            return ms;
        }
    }

    /// <summary>Nearest-rank percentile of an ascending array (the PyTorch script's definition).</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Median(List<double> values) => values.Count == 0 ? double.NaN : Stopwatches.Median(values);

    /// <summary>Token ids of one row (the scoring transformer's input).</summary>
    public sealed class TokenRow
    {
        /// <summary>Token ids.</summary>
        [VectorType]
        public int[] Tokens { get; set; } = Array.Empty<int>();
    }

    /// <summary>Multiclass output columns.</summary>
    public sealed class ClassPrediction
    {
        /// <summary>Predicted class key.</summary>
        public uint PredictedLabel { get; set; }

        /// <summary>Per-class probabilities.</summary>
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
