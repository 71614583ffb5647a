using System.CommandLine;
using Microsoft.ML;
using MLNet.Recurrent;
using MLNet.Recurrent.Examples;
using Spectre.Console;
using static TorchSharp.torch;

// Notebook 002, "Capture patterns with recurrent neural networks": classify news articles by topic with four recurrent
// models, trained side by side on the same data — a simple RNN (mean of its outputs), an LSTM (final hidden state), the
// same LSTM with its batches arranged so that padding costs almost nothing (the notebook's packed sequences), and a
// bidirectional two-layer LSTM — then one accuracy table and one plot of all four curves.
var epochs = new Option<int>("--epochs") { Description = "Training epochs of every model.", DefaultValueFactory = _ => 3 };
var embedding = new Option<int>("--embedding") { Description = "Embedding size (the notebook: 64).", DefaultValueFactory = _ => 64 };
var hidden = new Option<int>("--hidden") { Description = "Hidden size (the notebook: 32).", DefaultValueFactory = _ => 32 };
var maxLength = new Option<int>("--max-length") { Description = "Keep the first N words of a text.", DefaultValueFactory = _ => 60 };
var cli = new ExampleCommand("NewsTopics (notebook 002): four recurrent topic classifiers side by side",
    dataDescription: "AG News's ag_news_csv folder (train.csv, test.csv). Default: the bundled Austen paragraphs (paragraph → novel).")
    { epochs, embedding, hidden, maxLength };
if (cli.Parse(args, out int exitCode) is not { } run)
    return exitCode;

// 1. The data. AG News: 120,000 training and 7,600 test articles in 4 topics. Without it, the bundled Austen novels.
TextDataSet data = run.LoadData(AgNewsCsv.Load, () => AustenNovels.Load());
if (run.Quick)
    data = data.Sample(train: 500, validation: 0, test: 200, run.Seed);
data.Describe();
var ml = new MLContext(seed: run.Seed);
IDataView train = TextDataSet.ToDataView(ml, data.Train), test = TextDataSet.ToDataView(ml, data.Test);

// 2. Words → ids (the vocabulary of the training texts; id 0 is padding, 1 unknown words), labels → keys. Fitted
//    once and shared by the four models so that they see exactly the same inputs.
var features = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MaximumLength = run.Get(maxLength, quickValue: 30) }))
    .Fit(train);
IDataView trainIds = features.Transform(train), testIds = features.Transform(test);

// 3. Padding and packing. A batch of rows of different lengths is padded to its longest row: [[1,2,3,4,5],[6,7,8,0,0],
//    [9,0,0,0,0]]. A packed sequence stores only the real tokens, time step by time step, with the batch size of
//    each step, so the recurrent layer never runs on padding:
using (var scope = NewDisposeScope())
{
    Tensor padded = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 9, 0, 0, 0, 0 }, new long[] { 3, 5 });
    var packed = nn.utils.rnn.pack_padded_sequence(padded, tensor(new long[] { 5, 3, 1 }), batch_first: true);
    AnsiConsole.MarkupLine($"packed data [[{string.Join(", ", packed.data.data<long>().ToArray())}]], batch sizes [[{string.Join(", ", packed.batch_sizes.data<long>().ToArray())}]]: 9 steps instead of 15");
}
int[] lengths = PaddingCost.Lengths(ml, trainIds);
const int batchSize = 32;
AnsiConsole.MarkupLine($"On the training texts (batches of {batchSize}): recurrent steps per real token — padded batches in random order " +
    $"[bold]{PaddingCost.StepsPerToken(lengths, batchSize, bucketed: false, run.Seed):F2}[/], padded batches of similar lengths " +
    $"[bold]{PaddingCost.StepsPerToken(lengths, batchSize, bucketed: true, run.Seed):F2}[/], packed [bold]1.00[/].");

// 4. The four models. The notebook packs each batch so that the LSTM skips the padding; the library gets the same
//    saving by batching rows of similar length (BucketByLength, on by default: training runs these tight padded batches,
//    prediction packs). Either way a row's result never depends on its padding, because the library knows each row's
//    length; what the batching changes is the compute spent on padding, compared here with random batches.
var models = new (string Name, Action<RecurrentTrainerOptions> Set)[]
{
    ("RNN, mean of outputs", o => { o.Cell = RecurrentCell.Rnn; o.Pooling = SequencePooling.Mean; }),
    ("LSTM, final hidden, random batches", o => { o.Cell = RecurrentCell.Lstm; o.BucketByLength = false; }),
    ("LSTM, final hidden, length-bucketed", o => { o.Cell = RecurrentCell.Lstm; o.BucketByLength = true; }),
    ("BiLSTM, 2 layers", o => { o.Cell = RecurrentCell.Lstm; o.Bidirectional = true; o.NumberOfLayers = 2; }),
};
var results = new List<(string Name, TrainingCurve Curve, double Accuracy, double MacroAccuracy, long Parameters)>();
foreach (var (name, set) in models)
{
    ExampleRun.Section(name);
    var options = new RecurrentTrainerOptions
    {
        EmbeddingSize = run.Get(embedding, quickValue: 16),
        HiddenSize = run.Get(hidden, quickValue: 8),
        // The notebook's plain networks: one direction, no dropout, no bag of words, unweighted classes, a constant rate.
        Bidirectional = false,
        Pooling = SequencePooling.LastHidden,
        Dropout = 0,
        NGramLength = 0,
        MaximumRecurrentLength = 0,
        ClassWeighting = ClassWeighting.None,
        LearningRateSchedule = LearningRateSchedule.Constant,
        BatchSize = batchSize,
        LearningRate = 3e-3,
        NumberOfEpochs = run.Get(epochs, quickValue: 1),
        ValidationFraction = 0.1,
        Seed = run.Seed,
    };
    set(options);
    var (model, curve) = ConsoleTraining.Fit(name, progress =>
    {
        options.Progress = progress;
        return ml.MulticlassClassification.Trainers.Recurrent(options).Fit(trainIds);
    });
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(testIds));
    results.Add((name, curve, metrics.MicroAccuracy, metrics.MacroAccuracy, Evaluation.ParameterCount(model)));
    model.Dispose();
}

// 5. One table and one plot of all four.
var table = new Table().AddColumns("model", "parameters", "fit time", "test accuracy", "macro accuracy");
foreach (var r in results)
    table.AddRow(Markup.Escape(r.Name), $"{r.Parameters:N0}", $"{r.Curve.Elapsed.TotalSeconds:F1} s", $"{r.Accuracy:P2}", $"{r.MacroAccuracy:P2}");
AnsiConsole.Write(table);
TrainingPlots.Curves(run.OutputFile("news-topics-curves.png"), "Four recurrent classifiers", results.Select(r => r.Curve).ToList());
return 0;
