// ML.NET's own text path on the Austen task, measured the same way as the PyTorch script and
// MLNet.Recurrent (benchmarks/README.md defines the JSON line schema printed on stdout; logs go to stderr).
//
//   dotnet run -c Release --project benchmarks/MLNet.Recurrent.Baselines -- <measurement> [options]
//
// measurements:
//   sdca      MapValueToKey(Label) + FeaturizeText(Text) [+ AppendCacheCheckpoint] + SdcaMaximumEntropy, ML.NET defaults:
//             fit time, end-to-end time from the raw TSV.gz, test micro/macro accuracy, batched Transform
//             throughput and PredictionEngine latency, peak RSS.
//   tokenize  TokenizeIntoWords + MapValueToKey: MB/s over the train texts (fit + transform): the first full run
//             after a JIT warm-up on a small slice, and the median of --passes timed runs after as many warm-up runs.
// options: --threads N (SDCA NumberOfThreads; default: ML.NET's own choice, read back from its log)
//          --max-rows N (N train and N test rows evenly spaced; smoke mode)   --run I (repetition index)
//          --data-dir DIR (default $AUSTEN_DATA_DIR or /work/shared/data/austen)   --no-cache
//          --latency-calls N (default 500)   --seed S (default 1)   --passes N (tokenize; default 5)

using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

var opts = BaselineOptions.Parse(args);
switch (opts.Measurement)
{
    case "sdca": Measurements.Sdca(opts); break;
    case "tokenize": Measurements.Tokenize(opts); break;
    default:
        Console.Error.WriteLine("usage: MLNet.Recurrent.Baselines sdca|tokenize [--threads N] [--max-rows N] [--run I] " +
                                "[--data-dir DIR] [--no-cache] [--latency-calls N] [--seed S]");
        return 2;
}
return 0;

sealed class BaselineOptions
{
    public string Measurement = "";
    public int? Threads;
    public int? MaxRows;
    public int Run;
    public int Seed = 1;
    public bool Cache = true;
    public int LatencyCalls = 500;
    public int Passes = 5;
    public string DataDir = Environment.GetEnvironmentVariable("AUSTEN_DATA_DIR") ?? "/work/shared/data/austen";

    public static BaselineOptions Parse(string[] args)
    {
        var o = new BaselineOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--threads": o.Threads = int.Parse(Next()); break;
                case "--max-rows": o.MaxRows = int.Parse(Next()); break;
                case "--run": o.Run = int.Parse(Next()); break;
                case "--seed": o.Seed = int.Parse(Next()); break;
                case "--data-dir": o.DataDir = Next(); break;
                case "--no-cache": o.Cache = false; break;
                case "--latency-calls": o.LatencyCalls = int.Parse(Next()); break;
                case "--passes": o.Passes = int.Parse(Next()); break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unknown option {args[i]}");
                    o.Measurement = args[i];
                    break;
            }
        }
        return o;
    }
}

sealed class Paragraph
{
    public string Label { get; set; } = "";
    public string Text { get; set; } = "";
}

sealed class Prediction
{
    public string PredictedNovel { get; set; } = "";
}

static class Data
{
    // `Label<TAB>Text` with a header; NOT csv-quoted (paragraphs contain '"'), so split on the first tab.
    // maxRows keeps N rows evenly spaced over the file (it is ordered by novel), like the PyTorch script.
    public static List<Paragraph> ReadTsvGz(string path, int? maxRows)
    {
        var rows = new List<Paragraph>();
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.UTF8);
        reader.ReadLine(); // header
        for (string? line; (line = reader.ReadLine()) != null;)
        {
            if (line.Length == 0) continue;
            int tab = line.IndexOf('\t');
            rows.Add(new Paragraph { Label = line[..tab], Text = line[(tab + 1)..] });
        }
        if (maxRows is int n && n < rows.Count)
            rows = Enumerable.Range(0, n).Select(i => rows[(int)((long)i * rows.Count / n)]).ToList();
        return rows;
    }
}

static class Measurements
{
    public static void Sdca(BaselineOptions o)
    {
        // With the cache checkpoint (what ML.NET's samples do) vs without it (the literal defaults: FeaturizeText
        // re-runs on every SDCA pass; this is the configuration behind the trainers issue's "78.5% in 283 s").
        string modelName = o.Cache ? "featurize_sdca" : "featurize_sdca_nocache";
        var ml = new MLContext(seed: o.Seed);
        int? threadsUsed = o.Threads;
        int? iterations = null;
        // SDCA logs the thread count it chose ("Using 2 threads to train.") and its iteration count.
        ml.Log += (_, e) =>
        {
            var m = Regex.Match(e.Message, @"Using (\d+) threads? to train");
            if (m.Success) threadsUsed = int.Parse(m.Groups[1].Value);
            m = Regex.Match(e.Message, @"Auto-tuning parameters: maxIterations = (\d+)");
            if (m.Success) iterations = int.Parse(m.Groups[1].Value);
        };

        // ---- end-to-end clock: raw TSV.gz -> trained model ----
        var e2e = Stopwatch.StartNew();
        var train = Data.ReadTsvGz(Path.Combine(o.DataDir, "austen_train.tsv.gz"), o.MaxRows);
        var trainView = ml.Data.LoadFromEnumerable(train);
        double readS = e2e.Elapsed.TotalSeconds;

        // ML.NET defaults everywhere. The cache checkpoint is what ML.NET's text-classification samples add
        // before SDCA, which makes many passes over the data (198 here); --no-cache leaves it out.
        IEstimator<ITransformer> pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"));
        if (o.Cache) pipeline = pipeline.AppendCacheCheckpoint(ml);
        var sdca = o.Threads is int t
            ? ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new Microsoft.ML.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = t })
            : ml.MulticlassClassification.Trainers.SdcaMaximumEntropy();
        var estimator = pipeline.Append(sdca)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedNovel", "PredictedLabel"));

        var fitWatch = Stopwatch.StartNew();
        var model = estimator.Fit(trainView);
        double fitS = fitWatch.Elapsed.TotalSeconds;
        double e2eS = e2e.Elapsed.TotalSeconds;
        // ---- end of the end-to-end clock ----
        Console.Error.WriteLine($"[mlnet sdca] fit {fitS:F1} s (threads {threadsUsed?.ToString() ?? "?"}, rows {train.Count})");

        var test = Data.ReadTsvGz(Path.Combine(o.DataDir, "austen_test.tsv.gz"), o.MaxRows);
        var testView = ml.Data.LoadFromEnumerable(test);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(testView));

        // Batched scoring: Transform over the test set, materialized by a cursor (featurization included).
        var inferWatch = Stopwatch.StartNew();
        long scored = 0;
        using (var cursor = model.Transform(testView).GetRowCursor(model.GetOutputSchema(testView.Schema).Where(c => c.Name == "Score")))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(cursor.Schema["Score"]);
            VBuffer<float> score = default;
            while (cursor.MoveNext()) { getter(ref score); scored++; }
        }
        double inferS = inferWatch.Elapsed.TotalSeconds;

        // Single-row latency through a PredictionEngine, on the test paragraphs in file order.
        var engine = ml.Model.CreatePredictionEngine<Paragraph, Prediction>(model);
        for (int i = 0; i < 20; i++) engine.Predict(test[i % test.Count]);
        var lat = new double[o.LatencyCalls];
        for (int i = 0; i < lat.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            engine.Predict(test[i % test.Count]);
            lat[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Array.Sort(lat);

        int threads = threadsUsed ?? -1;
        var w = new JsonLines("mlnet", modelName, threads, o.Run);
        w.Emit("train", "fit_s", fitS, new { rows = train.Count, cache = o.Cache, threads_requested = o.Threads, max_iterations = iterations });
        w.Emit("e2e", "wall_s", e2eS, new { read_s = readS, fit_s = fitS });
        w.Emit("accuracy", "micro_accuracy", metrics.MicroAccuracy, new { rows = test.Count });
        w.Emit("accuracy", "macro_accuracy", metrics.MacroAccuracy, new { rows = test.Count });
        w.Emit("infer", "seq_per_s", scored / inferS, new { rows = scored, seconds = inferS, what = "Transform incl. featurization" });
        w.Emit("infer", "latency_p50_ms", Percentile(lat, 50), new { calls = lat.Length, what = "PredictionEngine.Predict" });
        w.Emit("infer", "latency_p99_ms", Percentile(lat, 99), new { calls = lat.Length, what = "PredictionEngine.Predict" });
        w.Emit("rss", "peak_rss_mb", Env.PeakRssMb(), null);
    }

    // Separators for the "word" scheme: with lower-casing this gives exactly the tokens of the shared rule
    // (maximal runs of letters/digits, benchmarks/README.md) on the Austen text, which contains no other
    // non-letter/digit characters (checked by the vocabulary-size comparison in the README).
    static readonly char[] WordSeparators =
        " \t\r\n!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~£—–‘’“”…".ToCharArray();

    public static void Tokenize(BaselineOptions o)
    {
        var ml = new MLContext(seed: o.Seed);
        var train = Data.ReadTsvGz(Path.Combine(o.DataDir, "austen_train.tsv.gz"), o.MaxRows);
        long bytes = train.Sum(p => (long)Encoding.UTF8.GetByteCount(p.Text));

        // "word": NormalizeText lower-cases (punctuation kept, then split on it), TokenizeIntoWords, MapValueToKey
        //         -- the same tokens as the PyTorch script and TokenizeToIds' Word mode.
        // "word_raw": the literal ML.NET pair with its defaults: TokenizeIntoWords (split on ' ') + MapValueToKey.
        var schemes = new (string Name, Func<MLContext, IEstimator<ITransformer>> Build)[]
        {
            ("word", c => c.Transforms.Text.NormalizeText("Norm", "Text", TextNormalizingEstimator.CaseMode.Lower,
                              keepDiacritics: true, keepPunctuations: true, keepNumbers: true)
                          .Append(c.Transforms.Text.TokenizeIntoWords("Words", "Norm", WordSeparators))
                          .Append(c.Transforms.Conversion.MapValueToKey("Ids", "Words"))),
            ("word_raw", c => c.Transforms.Text.TokenizeIntoWords("Words", "Text")
                          .Append(c.Transforms.Conversion.MapValueToKey("Ids", "Words"))),
        };
        foreach (var (name, build) in schemes)
        {
            // JIT warm-up on a small slice; the first full fit (vocabulary pass) + transform (mapping pass) is the
            // first-pass figure; then --passes untimed warm-up runs and --passes timed ones, whose median is mb_per_s
            // (the same protocol as the other sides, see benchmarks/README.md).
            Run(ml, build(ml), train.Take(200).ToList());
            var (first, vocab, tokens) = Run(ml, build(ml), train);
            for (int i = 0; i < o.Passes; i++)
                Run(ml, build(ml), train);
            var times = new List<double>();
            for (int i = 0; i < o.Passes; i++)
            {
                GC.Collect();
                times.Add(Run(ml, build(ml), train).Seconds);
            }
            times.Sort();
            double seconds = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
            var lines = new JsonLines("mlnet", name, 1, o.Run);
            lines.Emit("tokenize", "mb_per_s", bytes / 1e6 / seconds,
                new { bytes, seconds, per_pass_s = times, first_pass_s = first, rows = train.Count, vocab_size = vocab, tokens, what = "Fit + Transform, all ids read by a cursor" });
            lines.Emit("tokenize", "mb_per_s_first_pass", bytes / 1e6 / first, new { what = "first full pass of the process, after a 200-row warm-up" });
        }
        new JsonLines("mlnet", "word", 1, o.Run).Emit("rss", "peak_rss_mb", Env.PeakRssMb(), new { what = "tokenize process" });
    }

    static (double Seconds, long Vocab, long Tokens) Run(MLContext ml, IEstimator<ITransformer> estimator, List<Paragraph> rows)
    {
        var sw = Stopwatch.StartNew();
        var view = ml.Data.LoadFromEnumerable(rows);
        var model = estimator.Fit(view);
        var output = model.Transform(view);
        long tokens = 0;
        using (var cursor = output.GetRowCursor(output.Schema.Where(c => c.Name == "Ids")))
        {
            var getter = cursor.GetGetter<VBuffer<uint>>(cursor.Schema["Ids"]);
            VBuffer<uint> ids = default;
            while (cursor.MoveNext()) { getter(ref ids); tokens += ids.Length; }
        }
        double s = sw.Elapsed.TotalSeconds;
        long vocab = (long)((KeyDataViewType)((VectorDataViewType)output.Schema["Ids"].Type).ItemType).Count;
        return (s, vocab, tokens);
    }

    static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>Writes measurement lines of the benchmarks/README.md schema to stdout.</summary>
sealed class JsonLines(string side, string model, int threads, int run)
{
    static readonly object EnvInfo = Env.Describe();

    public void Emit(string task, string metric, double value, object? detail)
    {
        var line = new Dictionary<string, object?>
        {
            ["side"] = side, ["task"] = task, ["model"] = model, ["threads"] = threads,
            ["metric"] = metric, ["value"] = value, ["run"] = run, ["detail"] = detail, ["env"] = EnvInfo,
        };
        Console.Out.WriteLine(JsonSerializer.Serialize(line));
        Console.Out.Flush();
    }
}

static class Env
{
    /// <summary>Peak resident set size (VmHWM) in MiB, the same figure as Python's ru_maxrss.</summary>
    public static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
        return double.NaN;
    }

    public static object Describe()
    {
        string cpu = "unknown";
        try { cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? cpu; }
        catch (IOException) { }
        return new
        {
            runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            mlnet = typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion,
            cpu,
            cores = System.Environment.ProcessorCount,
        };
    }
}
