using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Recurrent;
using MLNet.Recurrent.Examples;
using RecurrentBasics;
using Spectre.Console;
using static TorchSharp.torch;

// Notebook 000, "Recurrent neural networks 1": an RNN cell is one layer that takes (state, input) and gives the next state.
var cli = new ExampleCommand("RecurrentBasics (notebook 000): RNN cells by hand and with the library, masks, vanishing gradients, the LSTM",
    dataDescription: "IMDB's aclImdb folder for the movie-review exercise. Default: two of the bundled Austen novels as a two-class stand-in.");
if (cli.Parse(args, out int exitCode) is not { } run)
    return exitCode;
manual_seed(run.Seed);
var ml = new MLContext(seed: run.Seed);

// 1. A parity machine? The notebook's one-unit cell, s' = sigmoid(conc(s, x)·[-15, 15] - 10), read bit by bit. One
//    sigmoid unit cannot compute XOR, so it agrees with the true parity only on some strings (here not after "1, 0").
ExampleRun.Section("1. An RNN cell by hand, and the parity of bit strings");
Tensor w = tensor(new float[] { -15, 15 }, [2, 1]), b = tensor(new float[] { -10 }), s = zeros(1);
int ones = 0;
foreach (int bit in new[] { 0, 1, 1, 0, 1, 0 })
{
    s = sigmoid(cat([s, tensor(new float[] { bit })]).matmul(w) + b);
    ones += bit;
    AnsiConsole.MarkupLine($"  input {bit}: state {s.item<float>():F0}   parity so far {ones % 2}");
}
// Learning parity instead: the cell written out (tanh, 16 units) on padded batches of random bit strings...
var random = new Random(run.Seed);
var (trainBits, testBits) = (Lessons.BitStrings(run.Quick ? 128 : 512, 1, 8, random), Lessons.BitStrings(256, 1, 8, random));
var (bits, mask, odd) = Lessons.BitBatch(trainBits);
using var parity = new ParityModel(stateSize: 16);
double[] parityLosses = Lessons.TrainFullBatch("hand-written RNN cell", parity, () => parity.call(bits, mask), odd, run.Quick ? 50 : 600, 0.02);
var (testX, testMask, testOdd) = Lessons.BitBatch(testBits);
double handAccuracy = parity.call(testX, testMask).gt(0).eq(testOdd.gt(0.5)).to_type(ScalarType.Float32).mean().item<float>();
// ...and the library's RNN in an ML.NET pipeline: characters '0'/'1' → ids, a recurrent binary classifier.
var parityOptions = new RecurrentTrainerOptions { Cell = RecurrentCell.Rnn, Bidirectional = false, Pooling = SequencePooling.LastHidden, Dropout = 0, NGramLength = 0, MaximumRecurrentLength = 0, ClassWeighting = ClassWeighting.None, LearningRateSchedule = LearningRateSchedule.Constant, EmbeddingSize = 8, HiddenSize = 16, LearningRate = 0.01, BatchSize = 32, NumberOfEpochs = run.Quick ? 2 : 40, Seed = run.Seed };
IDataView BitView((string Bits, bool Odd)[] rows) => ml.Data.LoadFromEnumerable(rows.Select(r => new BinaryTextSample { Text = r.Bits, Label = r.Odd }));
var (libraryParity, parityCurve) = ConsoleTraining.Fit("library RNN", progress =>
{
    parityOptions.Progress = progress;
    return ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character })
        .Append(ml.BinaryClassification.Trainers.Recurrent(parityOptions)).Fit(BitView(trainBits));
});
double libraryAccuracy = ml.BinaryClassification.Evaluate(libraryParity.Transform(BitView(testBits))).Accuracy;
AnsiConsole.MarkupLine($"  parity of unseen strings of 1–8 bits: hand-written cell [bold]{handAccuracy:P1}[/], library RNN [bold]{libraryAccuracy:P1}[/]");
Plots.SaveGrid([Plots.Lines("Parity: hand-written cell (full batch)", "epoch", "training loss", [new Series("hand-written RNN cell", Enumerable.Range(1, parityLosses.Length).Select(i => (double)i).ToArray(), parityLosses)]),
                Plots.Lines("Parity: library RNN (batches of 32)", "epoch", "training loss", [new Series("library RNN", parityCurve.EpochNumbers, parityCurve.TrainLoss)])],
    2, run.OutputFile("parity-training.png"), 1200, 450);

// 2. Batches: the initial state tiled over the rows; masks keep the state unchanged at padding (torch.where).
ExampleRun.Section("2. Initial states for a batch, and masks");
Lessons.Show("initial state [1, 2, 3] tiled for a batch of 3:", tensor(new float[] { 1, 2, 3 })[TensorIndex.None, TensorIndex.Colon].tile([3, 1]));
Tensor indexed = tensor(new long[] { 1, 0, 0, 1, 2, 0, 1, 2, 3 }, [3, 3]);
Lessons.Show("padded ids (0 = <PAD>):", indexed);
Lessons.Show("non-pad mask:", indexed.ne(0));
Lessons.Show("where(mask[:, 2], new, current) keeps rows 0 and 1:", where(indexed.ne(0)[TensorIndex.Colon, 2, TensorIndex.None], full(3, 2, 9f), zeros(3, 2)));

// 3. Toy sentiment with the masked cell (leaky ReLU, state 3, embedding 2) and a learnable initial state.
ExampleRun.Section("3. Toy sentiment: padding, masks and a learnable initial state");
string[][] texts = [["I", "like", "it", "."], ["I", "hate", "it", "."], ["I", "don't", "hate", "it", "."], ["I", "don't", "like", "it", "."]];
string[] vocabulary = ["<PAD>", .. texts.SelectMany(t => t).Distinct().Order(StringComparer.Ordinal)];
Tensor Ids(int width) => tensor(texts.SelectMany(t => t.Select(w => (long)Array.IndexOf(vocabulary, w)).Concat(Enumerable.Repeat(0L, width - t.Length))).ToArray(), [texts.Length, width]);
Tensor toyX = Ids(5), toyY = tensor(new float[] { 1, 0, 1, 0 }, [4, 1]);
using var toy = new ToySentimentModel(vocabulary.Length, 2, 3, new HandWrittenRnnCell(2, 3, x => nn.functional.leaky_relu(x)).Build());
double[] rnnLosses = Lessons.TrainFullBatch("masked RNN", toy, () => toy.call(toyX), toyY, run.Quick ? 100 : 2000, 0.1);
Lessons.Show("predictions (I like it / I hate it / I don't hate it / I don't like it):", sigmoid(toy.call(toyX)).squeeze(1));
Lessons.Show("learned initial state s0:", toy.InitialState);
// The library's RNN learns its start the same way (LearnInitialState), from the same four sentences.
var toyText = ml.Data.LoadFromEnumerable(texts.Select((t, i) => new BinaryTextSample { Text = string.Join(' ', t), Label = i % 2 == 0 }));
using var libraryToy = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { KeepPunctuation = true }).Append(ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions
    { Cell = RecurrentCell.Rnn, Bidirectional = false, Pooling = SequencePooling.LastHidden, Dropout = 0, NGramLength = 0, MaximumRecurrentLength = 0, ClassWeighting = ClassWeighting.None, LearningRateSchedule = LearningRateSchedule.Constant, EmbeddingSize = 2, HiddenSize = 3, LearnInitialState = true, NumberOfEpochs = run.Quick ? 50 : 500, BatchSize = 4, LearningRate = 0.05, Seed = run.Seed })).Fit(toyText);
AnsiConsole.MarkupLine("  the library RNN with a learned initial state: " + string.Join(", ", libraryToy.Transform(toyText).GetColumn<float>("Probability").Select(p => $"{p:F2}")));
// Padding never changes a result: 5 more <PAD> per row give the same outputs, and <PAD>'s embedding gets no gradient.
AnsiConsole.MarkupLine($"  largest change of an output when every row gets 5 more <PAD>: [bold]{toy.call(toyX).sub(toy.call(Ids(10))).abs().max().item<float>()}[/]");
toy.zero_grad();
nn.functional.binary_cross_entropy_with_logits(toy.call(toyX), toyY).backward();
float[] gradients = toy.Embedding.weight!.grad!.abs().sum(1).data<float>().ToArray();
AnsiConsole.MarkupLine("  |gradient| of each token's embedding: " + Markup.Escape(string.Join(", ", vocabulary.Select((t, i) => $"{t} {gradients[i]:G3}"))));

// 4. Vanishing gradients: how much does the final state depend on each of 10 inputs? Eight random models per kind.
ExampleRun.Section("4. Unstable gradients: a plain RNN, a residual RNN and an LSTM");
string[] kinds = ["plain RNN", "residual RNN", "LSTM", "LSTM, forget bias 1"];
Plots.SaveGrid(VanishingGradients.Plots(kinds, models: 8, steps: 10), 8, run.OutputFile("vanishing-gradients.png"), 2400, 1120);
foreach (string kind in kinds)
{
    double[][] runs = Enumerable.Range(0, 200).Select(_ => VanishingGradients.InputGradients(kind, 10)).ToArray();
    AnsiConsole.MarkupLine($"  {kind}: median over 200 random models of |grad| at the first step / at the last step = [bold]{Median(runs.Select(g => g[0] / Math.Max(g[^1], 1e-12))):G3}[/]");
}

// 5. The LSTM cell written out equals TorchSharp's LSTMCell with the same weights; then the toy task with an LSTM cell.
ExampleRun.Section("5. The LSTM cell");
using (var library = nn.LSTMCell(1, 1))
using (var hand = new HandWrittenLstmCell(1, 1))
{
    hand.CopyFrom(library);
    Tensor x = randn(3, 5, 1), h1 = zeros(3, 1), c1 = zeros(3, 1), h2 = zeros(3, 1), c2 = zeros(3, 1);
    for (int t = 0; t < 5; t++)
    {
        (h1, c1) = library.call(x[TensorIndex.Colon, t], (h1, c1));
        (h2, c2) = hand.call(x[TensorIndex.Colon, t], h2, c2);
    }
    AnsiConsole.MarkupLine($"  5 steps, batch of 3: largest difference between the hand-written cell and LSTMCell: [bold]{h1.sub(h2).abs().max().item<float>():G2}[/]");
}
using var lstmToy = new LstmSentimentModel(vocabulary.Length, 2, 3);
double[] lstmLosses = Lessons.TrainFullBatch("masked LSTM", lstmToy, () => lstmToy.call(toyX), toyY, run.Quick ? 100 : 1000, 0.1);
Lessons.Show("predictions:", sigmoid(lstmToy.call(toyX)).squeeze(1));
double[] Epochs(double[] l) => Enumerable.Range(1, l.Length).Select(i => (double)i).ToArray();
Plots.Save(Plots.Lines("Toy sentiment: training error", "epoch", "binary cross-entropy E", [new("RNN cell (leaky ReLU)", Epochs(rnnLosses), rnnLosses), new("LSTM cell", Epochs(lstmLosses), lstmLosses)]), run.OutputFile("toy-sentiment-training.png"));

// 6. Exercise: the movie reviews with an LSTM — words seen fewer than 3 times become <unk>; <pad> is id 0.
ExampleRun.Section("6. Exercise: movie reviews with an LSTM");
TextDataSet reviews = run.LoadData(ImdbReviews.Load, () => AustenNovels.Load().OnlyClasses("Emma", "Pride & Prejudice"));
if (run.Quick)
    reviews = reviews.Sample(300, 0, 100, run.Seed);
reviews.Describe();
var tokens = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MinimumFrequency = 3, MaximumLength = run.Quick ? 50 : 100 }).Fit(reviews.ToBinaryDataView(ml, reviews.Train));
AnsiConsole.MarkupLine($"  vocabulary: {tokens.Vocabulary.Count:N0} ids, the first ones {Markup.Escape(string.Join(", ", tokens.Vocabulary.Take(5)))}");
var lstmOptions = new RecurrentTrainerOptions { Cell = RecurrentCell.Lstm, Bidirectional = false, Pooling = SequencePooling.LastHidden, Dropout = 0, NGramLength = 0, MaximumRecurrentLength = 0, ClassWeighting = ClassWeighting.None, LearningRateSchedule = LearningRateSchedule.Constant, EmbeddingSize = 32, HiddenSize = 32, NumberOfEpochs = run.Quick ? 1 : 4, LearningRate = 3e-3, ValidationFraction = 0.1, Seed = run.Seed };
var (reviewModel, reviewCurve) = ConsoleTraining.Fit("review LSTM", progress =>
{
    lstmOptions.Progress = progress;
    return ml.BinaryClassification.Trainers.Recurrent(lstmOptions).Fit(tokens.Transform(reviews.ToBinaryDataView(ml, reviews.Train)));
});
IDataView testIds = tokens.Transform(reviews.ToBinaryDataView(ml, reviews.Test));
Evaluation.Show(ml.BinaryClassification.Evaluate(reviewModel.Transform(testIds)));
// The library's RNN ignores padding too: the same reviews pre- or post-padded to 300 ids score identically.
float[] Probabilities(IDataView d) => reviewModel.Transform(d).GetColumn<float>("Probability").ToArray();
float[] plain = Probabilities(testIds);
foreach (PaddingSide side in new[] { PaddingSide.Pre, PaddingSide.Post })
{
    float[] padded = Probabilities(ml.Transforms.Text.PadSequences("Tokens", "Tokens", 300, side).Fit(testIds).Transform(testIds));
    AnsiConsole.MarkupLine($"  {side}-padded to 300 ids: largest change of a probability {plain.Zip(padded).Max(p => Math.Abs(p.First - p.Second)):G2}");
}
TrainingPlots.Curves(run.OutputFile("movie-review-lstm-curves.png"), "Movie-review exercise, LSTM", [reviewCurve]);
reviewModel.Dispose();
return 0;

static double Median(IEnumerable<double> values)
{
    double[] sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}
