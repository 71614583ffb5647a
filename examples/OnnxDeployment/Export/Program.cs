using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Recurrent;
using MLNet.Recurrent.Examples;
using Spectre.Console;

// Step 1 of the deployment example: train a recurrent text classifier in ML.NET (TorchSharp underneath), check it,
// and export the whole pipeline, text in → novel out, to one ONNX file with ML.NET's own converter. Step 2
// (examples/OnnxDeployment/Score) scores that file in a process that references only ONNX Runtime.
var epochCount = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 4 };
var cli = new ExampleCommand("OnnxDeployment.Export: train the Austen classifier and export it to ONNX (then run OnnxDeployment.Score on --out)",
    dataDescription: "A folder with austen_train.tsv(.gz) and austen_test.tsv(.gz) (default: the repository's data/austen).") { epochCount };
if (cli.Parse(args, out int exitCode) is not { } run)
    return exitCode;
string outputDirectory = run.OutputDirectory.FullName;
int epochs = run.Get(epochCount, quickValue: 1);

TextDataSet data = run.LoadData(AustenNovels.Load, () => AustenNovels.Load());
if (run.Quick)
    data = data.Sample(train: 600, validation: 0, test: 200, run.Seed);
data.Describe();
var ml = new MLContext(seed: run.Seed);
IDataView train = TextDataSet.ToDataView(ml, data.Train), test = TextDataSet.ToDataView(ml, data.Test);

// The usual pipeline: class names → keys, text → token ids, a GRU classifier, keys → class names.
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MaximumVocabularySize = 20_000, MaximumLength = 200 }))
    .Append(ml.MulticlassClassification.Trainers.Recurrent(new RecurrentTrainerOptions
    {
        Cell = RecurrentCell.Gru, HiddenSize = 64, EmbeddingSize = 64, NumberOfEpochs = epochs, LearningRate = 0.005, Seed = run.Seed,
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedNovel", "PredictedLabel"));
ExampleRun.Section($"Training a GRU classifier for {epochs} epoch(s)");
var model = pipeline.Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Evaluation.Show(metrics, confusionTable: false);

// Export what a scoring service needs: everything after the label mapping (which needs the label), from a text-only
// view, keeping only the outputs it reads. Graph input: Text (string [N, 1]); outputs: Score.output (float [N, 6],
// class probabilities) and PredictedNovel.output (string [N, 1]).
var scoring = new TransformerChain<ITransformer>(model.Skip(1).ToArray());
IDataView textOnly = ml.Transforms.SelectColumns("Text").Fit(test).Transform(test);
string onnxPath = Path.Combine(outputDirectory, "book-classifier.onnx");
using (var stream = File.Create(onnxPath))
    ml.Model.ConvertToOnnx(scoring, ml.Data.Cache(textOnly), stream, "Score", "PredictedNovel");
AnsiConsole.MarkupLine($"Exported [bold]{Markup.Escape(onnxPath)}[/] ({new FileInfo(onnxPath).Length / 1024.0:N0} KiB)");

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
AnsiConsole.MarkupLine($"The TorchSharp-cpu runtime this process loads: {torchBytes / 1048576.0:N0} MiB");
AnsiConsole.MarkupLine($"Now score without TorchSharp: [bold]dotnet run -c Release --project examples/OnnxDeployment/Score -- --model {Markup.Escape(outputDirectory)}[/]");
return 0;

/// <summary>A scored test row.</summary>
internal sealed class Sample
{
    public string Text { get; set; } = "";

    public string PredictedNovel { get; set; } = "";

    public float[] Score { get; set; } = Array.Empty<float>();
}
