using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Recurrent;

// Step 1 of the deployment example: train a recurrent text classifier in ML.NET (TorchSharp underneath), check it,
// and export the whole pipeline, text in → novel out, to one ONNX file with ML.NET's own converter.
//
//   dotnet run -c Release --project examples/OnnxDeployment/Export -- [output folder] [epochs]
string outputDirectory = args.Length > 0 ? args[0] : Path.Combine(Environment.CurrentDirectory, "onnx-deployment");
int epochs = args.Length > 1 ? int.Parse(args[1]) : 4;
Directory.CreateDirectory(outputDirectory);

var ml = new MLContext(seed: 1);
string data = FindBundledData();
IDataView train = LoadTsvGz(ml, Path.Combine(data, "austen_train.tsv.gz"));
IDataView test = LoadTsvGz(ml, Path.Combine(data, "austen_test.tsv.gz"));

// The usual pipeline: class names → keys, text → token ids, a GRU classifier, keys → class names.
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MaximumVocabularySize = 20_000, MaximumLength = 200 }))
    .Append(ml.MulticlassClassification.Trainers.Recurrent(new RecurrentTrainerOptions
    {
        Cell = RecurrentCell.Gru, HiddenSize = 64, EmbeddingSize = 64, NumberOfEpochs = epochs, LearningRate = 0.005, Seed = 1,
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedNovel", "PredictedLabel"));
Console.WriteLine($"Training for {epochs} epoch(s)…");
var model = pipeline.Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"Test micro-accuracy {metrics.MicroAccuracy:P1}, macro-accuracy {metrics.MacroAccuracy:P1}");

// Export what a scoring service needs: everything after the label mapping (which needs the label), from a text-only
// view, keeping only the outputs it reads. Graph input: Text (string [N, 1]); outputs: Score.output (float [N, 6],
// class probabilities) and PredictedNovel.output (string [N, 1]).
var scoring = new TransformerChain<ITransformer>(model.Skip(1).ToArray());
IDataView textOnly = ml.Transforms.SelectColumns("Text").Fit(test).Transform(test);
string onnxPath = Path.Combine(outputDirectory, "book-classifier.onnx");
using (var stream = File.Create(onnxPath))
    ml.Model.ConvertToOnnx(scoring, ml.Data.Cache(textOnly), stream, "Score", "PredictedNovel");
Console.WriteLine($"Exported {onnxPath} ({new FileInfo(onnxPath).Length / 1024.0:N0} KiB)");

// The class names in score order, and a few test paragraphs with ML.NET's own predictions, for the scoring process to
// compare against.
VBuffer<ReadOnlyMemory<char>> classNames = default;
model.Transform(test).Schema["Score"].GetSlotNames(ref classNames);
File.WriteAllLines(Path.Combine(outputDirectory, "classes.txt"), classNames.DenseValues().Select(c => c.ToString()));
var samples = ml.Data.CreateEnumerable<Sample>(model.Transform(test), reuseRowObject: false).Where(s => s.Text.Length is > 60 and < 300).Take(6).ToList();
File.WriteAllLines(Path.Combine(outputDirectory, "samples.tsv"), samples.Select(s => $"{s.PredictedNovel}\t{s.Score.Max():R}\t{s.Text.Replace('\t', ' ').Replace('\n', ' ')}"));

// What a TorchSharp deployment ships besides the app: libtorch and TorchSharp's native glue.
long torchBytes = Directory.EnumerateFiles(AppContext.BaseDirectory)
    .Where(f => Path.GetFileName(f) is var n && (n.StartsWith("libtorch", StringComparison.Ordinal) || n.StartsWith("libc10", StringComparison.Ordinal)
        || n.StartsWith("libgomp", StringComparison.Ordinal) || n.StartsWith("libLibTorchSharp", StringComparison.Ordinal) || n == "TorchSharp.dll"))
    .Sum(f => new FileInfo(f).Length);
File.WriteAllText(Path.Combine(outputDirectory, "torchsharp-runtime-bytes.txt"), torchBytes.ToString());
Console.WriteLine($"The TorchSharp-cpu runtime this process loads: {torchBytes / 1048576.0:N0} MiB");
Console.WriteLine($"Now score without TorchSharp: dotnet run -c Release --project examples/OnnxDeployment/Score -- {outputDirectory}");
return 0;

static string FindBundledData()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, "data", "austen");
        if (File.Exists(Path.Combine(candidate, "austen_train.tsv.gz")))
            return candidate;
    }
    throw new DirectoryNotFoundException("Bundled data/austen not found above the app folder.");
}

// A Label<TAB>Text file with a header, gzip-compressed: ML.NET's text loader reads the decompressed copy.
static IDataView LoadTsvGz(MLContext ml, string path)
{
    string plain = Path.Combine(Path.GetTempPath(), $"{Path.GetFileNameWithoutExtension(path)}-{Guid.NewGuid():N}");
    using (var source = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress))
    using (var target = File.Create(plain))
        source.CopyTo(target);
    var rows = ml.Data.CreateEnumerable<Paragraph>(ml.Data.LoadFromTextFile<Paragraph>(plain, separatorChar: '\t', hasHeader: true), reuseRowObject: false).ToList();
    File.Delete(plain);
    return ml.Data.LoadFromEnumerable(rows);
}

/// <summary>A scored test row.</summary>
internal sealed class Sample
{
    public string Text { get; set; } = "";

    public string PredictedNovel { get; set; } = "";

    public float[] Score { get; set; } = Array.Empty<float>();
}

/// <summary>A row of the bundled Austen files.</summary>
internal sealed class Paragraph
{
    [LoadColumn(0)]
    public string Label { get; set; } = "";

    [LoadColumn(1)]
    public string Text { get; set; } = "";
}
