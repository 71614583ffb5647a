using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using MLNet.Recurrent;
using MLNet.Recurrent.Examples;
using ReviewClassifier;
using Spectre.Console;
using static TorchSharp.torch;

// Notebook 004, "Recurrent neural networks": is a movie review positive or negative? Word ids from a vocabulary of the
// 5,000 most frequent words plus one id for every other word, 32-dimensional embeddings learned with the model, a tanh
// RNN of 16 units. First one review at a time, written out by hand (slow), then batched, shuffled every epoch and packed.
var epochs = new Option<int>("--epochs") { Description = "Training epochs of the batched model.", DefaultValueFactory = _ => 8 };
var maxLength = new Option<int>("--max-length") { Description = "Keep the first N words of a review.", DefaultValueFactory = _ => 200 };
var handWritten = new Option<int>("--hand-written-reviews") { Description = "Reviews the one-at-a-time model trains on (it is slow).", DefaultValueFactory = _ => 400 };
var cli = new ExampleCommand("ReviewClassifier (notebook 004): review sentiment with a small tanh RNN",
    dataDescription: "IMDB's aclImdb folder (train/pos, train/neg, test/pos, test/neg). Default: two of the bundled Austen novels as a two-class stand-in.")
    { epochs, maxLength, handWritten };
if (cli.Parse(args, out int exitCode) is not { } run)
    return exitCode;

// 1. The data: IMDB's 25,000 training and 25,000 test reviews, or (without --data) Pride & Prejudice against Emma.
TextDataSet data = run.LoadData(ImdbReviews.Load, () => AustenNovels.Load().OnlyClasses("Emma", "Pride & Prejudice"));
if (run.Quick)
    data = data.Sample(train: 300, validation: 0, test: 100, run.Seed);
data.Describe();
AnsiConsole.MarkupLine($"  positive class: {Markup.Escape(data.Classes[1])}");
var ml = new MLContext(seed: run.Seed);
IDataView train = data.ToBinaryDataView(ml, data.Train), test = data.ToBinaryDataView(ml, data.Test);

// 2. The vocabulary: the 5,000 most frequent training words get ids 2…5001; every other word shares <unk> (id 1), the
//    notebook's "one out-of-vocabulary id"; id 0 is padding.
var tokenize = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MaximumVocabularySize = 5002, MaximumLength = run.Get(maxLength, quickValue: 50) }).Fit(train);
IDataView trainIds = tokenize.Transform(train), testIds = tokenize.Transform(test);
AnsiConsole.MarkupLine($"Vocabulary: {tokenize.Vocabulary.Count:N0} ids ({string.Join(", ", tokenize.Vocabulary.Take(8).Select(Markup.Escape))}, …)");

// 3. One review at a time, as the notebook first writes it: the hidden state goes through a C# loop over the words.
ExampleRun.Section("One review at a time (hand-written RNN)");
var reviews = ml.Data.CreateEnumerable<TokenizedReview>(trainIds, reuseRowObject: false).ToArray();
new Random(run.Seed).Shuffle(reviews); // the training files list every negative review first: never train in that order
manual_seed(run.Seed);
using (var slow = new OneReviewAtATime(tokenize.Vocabulary.Count, embeddingSize: 32, hiddenSize: 16))
using (var adam = new HeldScalarAdam(slow.parameters(), 1e-3))
{
    int count = Math.Min(reviews.Length, run.Get(handWritten, quickValue: 50));
    var clock = Stopwatch.StartNew();
    ConsoleTraining.Loop("one review per step", count, i =>
    {
        using var scope = NewDisposeScope();
        TokenizedReview review = reviews[i - 1];
        Tensor loss = nn.functional.binary_cross_entropy_with_logits(slow.call(review.Tokens.Select(t => (long)t).ToArray()), tensor(review.Label ? 1f : 0f));
        adam.ZeroGrad();
        loss.backward();
        adam.Step();
        return loss.item<float>();
    });
    AnsiConsole.MarkupLine($"  {count / clock.Elapsed.TotalSeconds:N0} reviews/s, one at a time");
}

// 4. Batched: the library's RNN (the loop over words runs inside libtorch), batches of 32 reviews of similar length so
//    that packing wastes nothing on padding, the training rows reshuffled every epoch (the trainer's default).
ExampleRun.Section("Batched and packed: embedding 32 → tanh RNN 16 → logistic output");
var options = new RecurrentTrainerOptions
{
    Cell = RecurrentCell.Rnn,
    EmbeddingSize = 32,
    HiddenSize = 16,
    // The notebook's plain RNN: one direction, its last output, no dropout, no bag of words, a constant rate.
    Bidirectional = false,
    Pooling = SequencePooling.LastHidden,
    Dropout = 0,
    NGramLength = 0,
    MaximumRecurrentLength = 0,
    ClassWeighting = ClassWeighting.None,
    LearningRateSchedule = LearningRateSchedule.Constant,
    BatchSize = 32,
    LearningRate = 3e-3,
    NumberOfEpochs = run.Get(epochs, quickValue: 2),
    BucketByLength = true,
    ValidationFraction = 0.1,
    Seed = run.Seed,
};
var (model, curve) = ConsoleTraining.Fit("RNN 16", progress =>
{
    options.Progress = progress;
    return ml.BinaryClassification.Trainers.Recurrent(options).Fit(trainIds);
});
AnsiConsole.MarkupLine($"  {curve.Epochs.Average(e => e.SamplesPerSecond):N0} reviews/s batched; {Evaluation.ParameterCount(model):N0} parameters");

// 5. Test accuracy with ML.NET's evaluator, and the accuracy and loss curves.
Evaluation.Show(ml.BinaryClassification.Evaluate(model.Transform(testIds)));
TrainingPlots.Curves(run.OutputFile("review-classifier-curves.png"), "Review sentiment, tanh RNN 16", [curve]);
model.Dispose();
return 0;

/// <summary>A tokenized training row.</summary>
internal sealed class TokenizedReview
{
    public bool Label { get; set; }
    public int[] Tokens { get; set; } = [];
}
