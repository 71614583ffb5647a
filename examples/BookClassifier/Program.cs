using System.CommandLine;
using Microsoft.ML;
using MLNet.Recurrent;
using MLNet.Recurrent.Examples;
using Spectre.Console;

// Which Jane Austen novel is a paragraph from? Tokenize → recurrent classifier → ML.NET's own evaluation → training
// curves and confusion matrix as PNG → save the model zip, reload it in a fresh MLContext and predict.
var cell = new Option<RecurrentCell>("--cell") { Description = "Recurrent cell: Rnn, Lstm or Gru.", DefaultValueFactory = _ => RecurrentCell.Lstm };
var unidirectional = new Option<bool>("--unidirectional") { Description = "Read the text forwards only (default: bidirectional)." };
var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers.", DefaultValueFactory = _ => 1 };
var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 7 };
var hidden = new Option<int>("--hidden") { Description = "Hidden size per direction.", DefaultValueFactory = _ => 64 };
var pooling = new Option<SequencePooling>("--pooling") { Description = "Sequence pooling: LastHidden, Mean or Max.", DefaultValueFactory = _ => SequencePooling.Max };
var embedding = new Option<int>("--embedding") { Description = "Embedding size.", DefaultValueFactory = _ => 256 };
var dropout = new Option<double>("--dropout") { Description = "Dropout before the output layer.", DefaultValueFactory = _ => 0.5 };
var learningRate = new Option<double>("--lr") { Description = "Adam learning rate, decayed linearly to 0.", DefaultValueFactory = _ => 4e-3 };
var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
var maxLength = new Option<int>("--max-length") { Description = "Keep the first N words of a paragraph.", DefaultValueFactory = _ => 160 };
var minFrequency = new Option<int>("--min-frequency") { Description = "Words seen fewer times become <unk>.", DefaultValueFactory = _ => 2 };
var validationFraction = new Option<double>("--validation-fraction") { Description = "Training rows held out for the per-epoch validation figures.", DefaultValueFactory = _ => 0.1 };
var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
var cli = new ExampleCommand("BookClassifier: which Jane Austen novel is a paragraph from? (6 classes)",
    dataDescription: "A folder with austen_train.tsv(.gz) and austen_test.tsv(.gz) (default: the repository's data/austen), or AG News's ag_news_csv folder (train.csv, test.csv).")
    { cell, unidirectional, layers, epochs, hidden, pooling, embedding, dropout, learningRate, batch, maxLength, minFrequency, validationFraction, device };
if (cli.Parse(args, out int exitCode) is not { } run)
    return exitCode;

// 1. The data: paragraphs labelled with their novel (or AG News articles labelled with their topic).
TextDataSet data = run.LoadData(path => File.Exists(Path.Combine(path, "train.csv")) ? AgNewsCsv.Load(path) : AustenNovels.Load(path), () => AustenNovels.Load());
if (run.Quick)
    data = data.Sample(train: 600, validation: 0, test: 200, run.Seed);
data.Describe();
var ml = new MLContext(seed: run.Seed);
IDataView train = TextDataSet.ToDataView(ml, data.Train), test = TextDataSet.ToDataView(ml, data.Test);

// 2. The pipeline: class name → key, words → ids (vocabulary learned on the training rows), the recurrent classifier,
//    key → class name again.
var options = new RecurrentTrainerOptions
{
    Cell = run.Get(cell),
    Bidirectional = !run.Get(unidirectional),
    NumberOfLayers = run.Get(layers),
    HiddenSize = run.Get(hidden, quickValue: 16),
    EmbeddingSize = run.Get(embedding, quickValue: 32),
    Pooling = run.Get(pooling),
    Dropout = run.Get(dropout),
    BatchSize = run.Get(batch),
    LearningRate = run.Get(learningRate),
    LearningRateSchedule = LearningRateSchedule.LinearDecay,
    NumberOfEpochs = run.Get(epochs, quickValue: 2),
    ValidationFraction = run.Get(validationFraction),
    Device = run.Get(device),
    Seed = run.Seed,
};
var tokenizer = new TokenizerOptions { MinimumFrequency = run.Get(minFrequency), MaximumLength = run.Get(maxLength, quickValue: 40) };
ExampleRun.Section($"Training: embedding {options.EmbeddingSize} → {(options.Bidirectional ? "bidirectional " : "")}{options.Cell} {options.HiddenSize} × {options.NumberOfLayers} → {options.Pooling} pooling → {data.Classes.Count}-way softmax");
var (model, curve) = ConsoleTraining.Fit("classifier", progress =>
{
    options.Progress = progress;
    return ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer))
        .Append(ml.MulticlassClassification.Trainers.Recurrent(options))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedNovel", "PredictedLabel"))
        .Fit(train);
});
AnsiConsole.MarkupLine($"Fit took {curve.Elapsed.TotalSeconds:F1} s");

// 3. ML.NET's own evaluation on the test rows, the curves and the confusion matrix as pictures.
IDataView scored = model.Transform(test);
var metrics = ml.MulticlassClassification.Evaluate(scored);
Evaluation.Show(metrics);
TrainingPlots.Curves(run.OutputFile("training-curves.png"), "Austen novel classifier", [curve]);
TrainingPlots.ConfusionMatrix(run.OutputFile("confusion-matrix.png"), $"Test set, accuracy {metrics.MicroAccuracy:P1}", Evaluation.KeyNames(scored, "Label"), metrics.ConfusionMatrix);

// 4. Save the model zip, load it in a fresh MLContext (as another application would) and predict single paragraphs.
string modelPath = run.OutputFile("book-classifier.zip");
ml.Model.Save(model, train.Schema, modelPath);
AnsiConsole.MarkupLine($"Saved {Markup.Escape(modelPath)} ({new FileInfo(modelPath).Length / 1024:N0} KiB)");
(model as IDisposable)?.Dispose();
var fresh = new MLContext();
ITransformer loaded = fresh.Model.Load(modelPath, out _);
using var engine = fresh.Model.CreatePredictionEngine<TextSample, NovelPrediction>(loaded);
var table = new Table().AddColumns("predicted", "p", "truth", "paragraph");
foreach (TextSample row in data.Test.Where(r => r.Text.Length is > 80 and < 400).GroupBy(r => r.Label).Select(g => g.First()))
{
    NovelPrediction p = engine.Predict(row);
    table.AddRow(Markup.Escape(p.PredictedNovel), $"{p.Score.Max():P0}", Markup.Escape(row.Label), Markup.Escape(row.Text.Length > 70 ? row.Text[..67] + "..." : row.Text));
}
AnsiConsole.Write(table);
(loaded as IDisposable)?.Dispose();
return 0;

/// <summary>Output of the prediction engine.</summary>
internal sealed class NovelPrediction
{
    public string PredictedNovel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
