using System.CommandLine;
using Microsoft.ML;
using MLNet.Recurrent;
using MLNet.Recurrent.Examples;
using SentimentTreebank;
using Spectre.Console;
using static TorchSharp.torch;

// Notebook 001, "Recurrent neural networks": an RNN layer written out (state and output with their nonlinearities),
// run by hand for three time steps; then three-class sentence sentiment on the Stanford Sentiment Treebank with the
// library's RNN: 25k vocabulary, length-bucketed batches, the parameter count, dev-set early stopping, confusion matrix.
var epochs = new Option<int>("--epochs") { Description = "At most this many epochs (early stopping on the dev set ends sooner).", DefaultValueFactory = _ => 10 };
var embedding = new Option<int>("--embedding") { Description = "Embedding size (the notebook: 100).", DefaultValueFactory = _ => 100 };
var hidden = new Option<int>("--hidden") { Description = "RNN hidden size (the notebook: 256).", DefaultValueFactory = _ => 256 };
var batch = new Option<int>("--batch") { Description = "Batch size (the notebook: 4).", DefaultValueFactory = _ => 32 };
var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better dev loss.", DefaultValueFactory = _ => 2 };
var cli = new ExampleCommand("SentimentTreebank (notebook 001): an RNN layer by hand, then SST three-class sentiment",
    dataDescription: "SST's trees folder (train.txt, dev.txt, test.txt in PTB tree form). Default: three of the bundled Austen novels as a three-class stand-in.")
    { epochs, embedding, hidden, batch, patience };
if (cli.Parse(args, out int exitCode) is not { } run)
    return exitCode;

// 1. An RNN layer by hand: 3 sequences (N = 3) of 1,024-dimensional inputs, a 128-unit state, one sigmoid output.
ExampleRun.Section("An RNN layer, one time step per call");
manual_seed(run.Seed);
using (var scope = NewDisposeScope())
using (var layer = new RnnLayer(inputSize: 1024, hiddenSize: 128, outputSize: 1))
{
    Tensor? h = null;
    for (int t = 1; t <= 3; t++)
    {
        (Tensor y, h) = layer.call(randn(3, 1024), h);
        AnsiConsole.MarkupLine($"  y{t} = [[{string.Join(", ", y.data<float>().ToArray().Select(v => v.ToString("F4")))}]]   y shape [[{string.Join(", ", y.shape)}]], h shape [[{string.Join(", ", h.shape)}]]");
    }
    AnsiConsole.MarkupLine($"  the same weights at every step: {layer.parameters().Sum(p => p.numel()):N0} parameters whatever the sequence length");
}

// 2. The data: SST sentences, their five fine labels grouped into negative / neutral / positive.
TextDataSet data = run.LoadData(SstTrees.Load,
    () => AustenNovels.Load().OnlyClasses("Sense & Sensibility", "Pride & Prejudice", "Emma").WithValidationSplit(0.1, run.Seed));
if (run.Quick)
    data = data.Sample(train: 400, validation: 100, test: 100, run.Seed);
data.Describe();
var ml = new MLContext(seed: run.Seed);
IDataView train = TextDataSet.ToDataView(ml, data.Train), dev = TextDataSet.ToDataView(ml, data.Validation), test = TextDataSet.ToDataView(ml, data.Test);

// 3. Tokens as spaCy gives them (punctuation kept, case kept), the 25,000 most frequent training tokens (+ <pad>, <unk>).
var features = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MaximumVocabularySize = 25_002, KeepPunctuation = true, Lowercase = false, MaximumLength = 100 }))
    .Fit(train);
IDataView trainIds = features.Transform(train), devIds = features.Transform(dev), testIds = features.Transform(test);

// 4. The model: embedding 100 → tanh RNN 256 → final state → 3 scores. Batches of sentences of similar length (the
//    notebook's BucketIterator). Adam instead of the notebook's SGD (lr 1e-3), whose loss never moved from 1.40.
//    The dev set is scored after every epoch; training stops when its loss has not improved for --patience epochs and
//    keeps the best epoch's weights.
var options = new RecurrentTrainerOptions
{
    Cell = RecurrentCell.Rnn,
    EmbeddingSize = run.Get(embedding, quickValue: 16),
    HiddenSize = run.Get(hidden, quickValue: 16),
    // The notebook's plain RNN: one direction, its last output, no dropout, no bag of words, unweighted classes, a constant rate.
    Bidirectional = false,
    Pooling = SequencePooling.LastHidden,
    Dropout = 0,
    NGramLength = 0,
    MaximumRecurrentLength = 0,
    ClassWeighting = ClassWeighting.None,
    LearningRateSchedule = LearningRateSchedule.Constant,
    BatchSize = run.Get(batch),
    BucketByLength = true,
    LearningRate = 1e-3,
    NumberOfEpochs = run.Get(epochs, quickValue: 2),
    ValidationSet = devIds,
    EarlyStoppingPatience = run.Get(patience),
    RestoreBestWeights = true,
    Seed = run.Seed,
};
ExampleRun.Section($"Training: embedding {options.EmbeddingSize} → tanh RNN {options.HiddenSize} → {data.Classes.Count} classes");
var (model, curve) = ConsoleTraining.Fit("SST RNN", progress =>
{
    options.Progress = progress;
    return ml.MulticlassClassification.Trainers.Recurrent(options).Fit(trainIds);
});
int vocabulary = ((TokenizeToIdsTransformer)features.LastTransformer).Vocabulary.Count;
AnsiConsole.MarkupLine($"The model has [bold]{Evaluation.ParameterCount(model):N0}[/] trainable parameters ({vocabulary:N0} × {options.EmbeddingSize} of them in the embedding); " +
                       $"{curve.Epochs.Count} epochs, best dev loss after epoch {curve.Epochs.MinBy(e => e.ValidationLoss)!.Epoch}");

// 5. Test set: ML.NET's evaluator, the confusion matrix, the curves.
IDataView scored = model.Transform(testIds);
var metrics = ml.MulticlassClassification.Evaluate(scored);
Evaluation.Show(metrics);
TrainingPlots.Curves(run.OutputFile("sst-curves.png"), "Sentiment RNN", [curve], "dev accuracy");
TrainingPlots.ConfusionMatrix(run.OutputFile("sst-confusion-matrix.png"), $"Test set, accuracy {metrics.MicroAccuracy:P1}", Evaluation.KeyNames(scored, "Label"), metrics.ConfusionMatrix);
model.Dispose();
return 0;
