using System.Diagnostics;
using BookClassifier;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Recurrent;

// Which Jane Austen novel is a paragraph from? Tokenize → recurrent classifier → ML.NET's own evaluation,
// save the model zip, reload it in a fresh MLContext and predict.
Arguments args0;
try
{
    args0 = Arguments.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(Arguments.Usage);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var ml = new MLContext(seed: args0.Seed);
(IDataView train, IDataView test, string dataName) = LoadData(ml, args0);
Console.WriteLine($"Data: {dataName} — {train.GetRowCount() ?? 0:N0} training rows, {test.GetRowCount() ?? 0:N0} test rows");

var trainerOptions = new RecurrentTrainerOptions
{
    LabelColumnName = "Label",
    FeatureColumnName = "Tokens",
    Cell = args0.Cell switch
    {
        "lstm" => RecurrentCell.Lstm,
        "gru" => RecurrentCell.Gru,
        "rnn" => RecurrentCell.Rnn,
        _ => throw new ArgumentException($"--cell must be lstm, gru or rnn, not '{args0.Cell}'."),
    },
    Bidirectional = args0.Bidirectional,
    NumberOfLayers = args0.Layers,
    HiddenSize = args0.HiddenSize,
    EmbeddingSize = args0.EmbeddingSize,
    Pooling = args0.Pooling switch
    {
        "last" => SequencePooling.LastHidden,
        "mean" => SequencePooling.Mean,
        "max" => SequencePooling.Max,
        _ => throw new ArgumentException($"--pooling must be last, mean or max, not '{args0.Pooling}'."),
    },
    Dropout = args0.Dropout,
    BatchSize = args0.BatchSize,
    LearningRate = args0.LearningRate,
    LearningRateSchedule = LearningRateSchedule.LinearDecay,
    NumberOfEpochs = args0.Epochs,
    Device = args0.Device,
    NumberOfThreads = args0.Threads > 0 ? args0.Threads : null,
    Seed = args0.Seed,
    ValidationFraction = args0.ValidationFraction,
    Progress = new ConsoleProgress(),
};

var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MinimumFrequency = args0.MinimumFrequency, MaximumLength = args0.MaximumLength }))
    .Append(ml.MulticlassClassification.Trainers.Recurrent(trainerOptions))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedNovel", "PredictedLabel"));

Console.WriteLine($"Training: embedding {trainerOptions.EmbeddingSize} → {(args0.Bidirectional ? "bidirectional " : "")}{trainerOptions.Cell} {args0.HiddenSize} × {args0.Layers} layer(s) → {trainerOptions.Pooling} pooling → 6-way softmax, {args0.Epochs} epochs");
var clock = Stopwatch.StartNew();
var model = pipeline.Fit(train);
Console.WriteLine($"Fit took {clock.Elapsed.TotalSeconds:F1} s");

IDataView scored = model.Transform(test);
MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored);
Console.WriteLine();
Console.WriteLine($"Test micro-accuracy {metrics.MicroAccuracy:P2}, macro-accuracy {metrics.MacroAccuracy:P2}, log-loss {metrics.LogLoss:F3}");
Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

ml.Model.Save(model, train.Schema, args0.ModelPath);
Console.WriteLine($"Saved {args0.ModelPath} ({new FileInfo(args0.ModelPath).Length / 1024:N0} KiB)");
(model as IDisposable)?.Dispose();

// A fresh MLContext, as a separate application would have.
var fresh = new MLContext();
ITransformer loaded = fresh.Model.Load(args0.ModelPath, out _);
using var engine = fresh.Model.CreatePredictionEngine<Passage, NovelPrediction>(loaded);
Console.WriteLine("Predictions of the reloaded model:");
foreach (Passage passage in SamplePassages(ml, test))
{
    NovelPrediction p = engine.Predict(passage);
    string text = passage.Text.Length > 90 ? passage.Text[..87] + "..." : passage.Text;
    Console.WriteLine($"  [{p.PredictedNovel} {p.Score.Max():P0}] (truth: {passage.Label}) {text}");
}
(loaded as IDisposable)?.Dispose();
return 0;

static (IDataView Train, IDataView Test, string Name) LoadData(MLContext ml, Arguments a)
{
    if (a.AgNewsTrain is not null)
        return (LoadAgNews(ml, a.AgNewsTrain), LoadAgNews(ml, a.AgNewsTest!), "AG News");
    string dir = a.DataDirectory ?? FindBundledData();
    return (LoadTsvGz(ml, Path.Combine(dir, "austen_train.tsv.gz")),
            LoadTsvGz(ml, Path.Combine(dir, "austen_test.tsv.gz")),
            "Jane Austen's novels (paragraph → novel)");
}

// A Label<TAB>Text file with a header, gzip-compressed: ML.NET's text loader reads the decompressed copy.
static IDataView LoadTsvGz(MLContext ml, string path)
{
    string plain = Path.Combine(Path.GetTempPath(), $"{Path.GetFileNameWithoutExtension(path)}-{Guid.NewGuid():N}");
    using (var source = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress))
    using (var target = File.Create(plain))
        source.CopyTo(target);
    var rows = ml.Data.CreateEnumerable<Passage>(ml.Data.LoadFromTextFile<Passage>(plain, separatorChar: '\t', hasHeader: true), reuseRowObject: false).ToList();
    File.Delete(plain);
    return ml.Data.LoadFromEnumerable(rows);
}

// AG News: "class","title","description" per line (class 1-4), read with ML.NET's quoting-aware text loader.
static IDataView LoadAgNews(MLContext ml, string path)
{
    string[] classes = ["World", "Sports", "Business", "Sci/Tech"];
    var rows = ml.Data.CreateEnumerable<AgNewsRow>(ml.Data.LoadFromTextFile<AgNewsRow>(path, separatorChar: ',', allowQuoting: true), reuseRowObject: false)
        .Select(r => new Passage { Label = classes[r.Class - 1], Text = $"{r.Title} {r.Description}".Replace("\\n", " ").Trim() })
        .ToList();
    return ml.Data.LoadFromEnumerable(rows);
}

static string FindBundledData()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, "data", "austen");
        if (File.Exists(Path.Combine(candidate, "austen_train.tsv.gz")))
            return candidate;
    }
    throw new DirectoryNotFoundException("Bundled data/austen not found above the app folder; pass --data DIR.");
}

static IEnumerable<Passage> SamplePassages(MLContext ml, IDataView test) =>
    ml.Data.CreateEnumerable<Passage>(test, reuseRowObject: false)
        .Where(r => r.Text.Length is > 80 and < 400)
        .GroupBy(r => r.Label)
        .Select(g => g.First())
        .Select(r => new Passage { Text = r.Text, Label = r.Label });

namespace BookClassifier
{
    /// <summary>A labelled paragraph: a row of the data and the input of the prediction engine.</summary>
    internal sealed class Passage
    {
        [Microsoft.ML.Data.LoadColumn(0)]
        public string Label { get; set; } = "";

        [Microsoft.ML.Data.LoadColumn(1)]
        public string Text { get; set; } = "";
    }

    /// <summary>A row of the AG News CSV files.</summary>
    internal sealed class AgNewsRow
    {
        [Microsoft.ML.Data.LoadColumn(0)]
        public int Class { get; set; }

        [Microsoft.ML.Data.LoadColumn(1)]
        public string Title { get; set; } = "";

        [Microsoft.ML.Data.LoadColumn(2)]
        public string Description { get; set; } = "";
    }

    /// <summary>Output of the prediction engine.</summary>
    internal sealed class NovelPrediction
    {
        public string PredictedNovel { get; set; } = "";
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    /// <summary>One live line per epoch: rewritten in place on a terminal, one line per epoch when redirected.</summary>
    internal sealed class ConsoleProgress : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            string valid = p.ValidationMetric is double m ? $" | val loss {p.ValidationLoss:F3} acc {m:P1}" : "";
            string line = $"epoch {p.Epoch}/{p.TotalEpochs} [{p.Batch,4}/{p.BatchesPerEpoch}] loss {p.TrainLoss:F3}{valid} | {p.SamplesPerSecond,6:F0} samples/s | ETA {p.EstimatedRemaining:mm\\:ss}";
            if (!Console.IsOutputRedirected)
                Console.Write("\r" + line.PadRight(Math.Max(line.Length, Console.WindowWidth - 1)));
            if (p.IsEpochEnd)
                Console.WriteLine(Console.IsOutputRedirected ? line : "");
        }
    }
}
