using System.CommandLine;
using Microsoft.ML;
using MLNet.Recurrent;
using MLNet.Recurrent.Examples;
using Spectre.Console;

// Notebook 003, "Character prediction": predict the next character of a text with a 2-layer LSTM language model, and
// compare it with the notebook's n-gram MLP, which sees only the previous n characters. Then let the LSTM write, at
// three temperatures, and score both on text neither has seen (bits per character: lower is better).
// (Throughput and the 10-minute comparison: `benchmarks/MLNet.Recurrent.Benchmarks charlm`.)
var minutes = new Option<double>("--minutes") { Description = "Training time of the LSTM.", DefaultValueFactory = _ => 1.5 };
var baselineMinutes = new Option<double>("--baseline-minutes") { Description = "Training time of the n-gram MLP.", DefaultValueFactory = _ => 0.5 };
var hidden = new Option<int>("--hidden") { Description = "LSTM hidden size (256 or more learns further in longer runs).", DefaultValueFactory = _ => 128 };
var dropout = new Option<double>("--dropout") { Description = "Dropout between and after the LSTM layers, from epoch 5 on (LanguageModelOptions.DropoutStartEpoch; a short run trains without it). The notebook: 0.5, for long runs.", DefaultValueFactory = _ => 0.1 };
var maxCharacters = new Option<int>("--max-characters") { Description = "Train on at most this many characters (spread over the whole text); 0 = all.", DefaultValueFactory = _ => 500_000 };
var ngram = new Option<int>("--ngram") { Description = "Characters of context of the n-gram MLP.", DefaultValueFactory = _ => 5 };
var prompt = new Option<string>("--prompt") { Description = "Start of the generated text.", DefaultValueFactory = _ => "It is a truth universally acknowledged, that " };
var cli = new ExampleCommand("CharTextGeneration (notebook 003): a character LSTM language model against an n-gram MLP",
    dataDescription: "A plain-text or .gz file, or a folder of documents such as 20 Newsgroups' 20news-bydate-train. Default: the bundled data/austen/austen.txt.gz.")
    { minutes, baselineMinutes, hidden, dropout, maxCharacters, ngram, prompt };
if (cli.Parse(args, out int exitCode) is not { } run)
    return exitCode;

// 1. The text: every document's last 10% is held out; the rest, cut down to --max-characters, is for training.
string textPath = run.LoadData(path => path, () => Path.Combine(DataFiles.BundledDataFolder("austen"), "austen.txt.gz"));
var (train, heldOut, documents) = run.LoadData(path => TextCorpus.Load(path), () => TextCorpus.Load(textPath));
if (heldOut.Count == 0)
    return ExampleRun.Fail($"{textPath}: too little text to hold any out (the last 10% of each document is held out).");
int budget = run.Get(maxCharacters, quickValue: 30_000);
train = TextCorpus.Spread(train, budget);
heldOut = TextCorpus.Spread(heldOut, budget == 0 ? 0 : Math.Max(budget / 10, 5_000));
var ml = new MLContext(seed: run.Seed);
CharTokenizer tokenizer = CharTokenizer.Learn(ml, train.Select(p => p.Text));
AnsiConsole.MarkupLine($"[bold]Data:[/] {Markup.Escape(textPath)}: {documents.Count} document(s); training {train.Sum(p => p.Text.Length):N0} characters, " +
                       $"held out {heldOut.Sum(p => p.Text.Length):N0}; {tokenizer.VocabularySize} ids (<pad>, <unk> and {tokenizer.VocabularySize - 2} characters)");
IDataView trainIds = tokenizer.Tokenize(ml, train), heldOutIds = tokenizer.Tokenize(ml, heldOut);

// 2. The model: characters → embedding 64 → 2-layer LSTM → a softmax over the characters. The paragraphs form one
//    continuous text, read by 64 streams in windows of 32 characters, the state carried from window to window.
var options = new LanguageModelOptions
{
    Cell = RecurrentCell.Lstm,
    EmbeddingSize = 64,
    HiddenSize = run.Get(hidden, quickValue: 32),
    NumberOfLayers = 2,
    Dropout = run.Get(dropout),
    RecurrentInitialization = RecurrentInitialization.Keras,
    Corpus = LanguageModelCorpus.Continuous,
    SequenceLength = 32,
    BatchSize = 64,
    LearningRate = 0.005,
    LearningRateSchedule = LearningRateSchedule.LinearDecay,
    NumberOfEpochs = 100,
    MaximumTrainingTime = TimeSpan.FromMinutes(run.Get(minutes, quickValue: 0.15)),
    ValidationSet = heldOutIds, // scored after every epoch: the held-out curve
    Seed = run.Seed,
};
ExampleRun.Section($"Training a 2-layer LSTM ({options.HiddenSize} hidden) for {options.MaximumTrainingTime:mm\\:ss}");
var (lstm, curve) = ConsoleTraining.Fit("character LSTM", progress =>
{
    options.Progress = progress;
    return ml.Transforms.Text.TrainLanguageModel(options).Fit(trainIds);
}, options.MaximumTrainingTime, lossUnit: nats => nats / Math.Log(2));

// 3. Samples: low temperatures pick likely characters (safe, repetitive); high ones take more risks.
foreach (double temperature in new[] { 0.5, 1.0, 1.5 })
{
    string text = run.Get(prompt) + lstm.Generate(run.Get(prompt), 300, new GenerationOptions { Temperature = temperature, Seed = run.Seed });
    AnsiConsole.Write(new Panel(Markup.Escape(text)).Header($"temperature {temperature}"));
}

// 4. The notebook's baseline: every n-character context seen in training is one input (one-hot), 100 ReLU units,
//    then a softmax over the next character. It knows nothing beyond its n characters.
List<int[]> Stream(IDataView d) => [ml.Data.CreateEnumerable<TokenRow>(d, reuseRowObject: false).SelectMany(r => r.Tokens).ToArray()];
List<int[]> trainStream = Stream(trainIds), heldOutStream = Stream(heldOutIds);
TorchSharp.torch.manual_seed(run.Seed);
using var mlp = new OneHotNGramMlp(trainStream, tokenizer.VocabularySize, run.Get(ngram));
ExampleRun.Section($"Training the baseline: {mlp.Description}");
var baselineTime = TimeSpan.FromMinutes(run.Get(baselineMinutes, quickValue: 0.05));
ConsoleTraining.Run("n-gram MLP", report => NGramBaseline.Train(mlp, trainStream, baselineTime, maxEpochs: 100, run.Seed, report));

// 5. Held-out bits per character, the held-out text read as one stream by both models.
LanguageModelMetrics lstmHeldOut = lstm.Evaluate(heldOutIds, textColumnName: "Text", corpus: LanguageModelCorpus.Continuous);
var (logLikelihood, count) = NGramBaseline.Evaluate(mlp, heldOutStream);
double mlpBits = -logLikelihood / count / Math.Log(2);
var table = new Table().AddColumns("model", "training", "held-out bits/char");
table.AddRow($"2-layer LSTM, {options.HiddenSize} hidden", $"{curve.Elapsed:mm\\:ss}", $"{lstmHeldOut.BitsPerToken:F3}");
table.AddRow(Markup.Escape(mlp.Description), $"{baselineTime:mm\\:ss}", $"{mlpBits:F3}");
AnsiConsole.Write(table);
var plot = Plots.Lines("Character LSTM: bits per character", "training time (minutes)", "bits per character", [
    new("LSTM, training (running mean of the epoch)", curve.Running.Select(r => r.Seconds / 60).ToArray(), curve.Running.Select(r => r.Loss / Math.Log(2)).ToArray()),
    new("LSTM, held out (after each epoch)", curve.Epochs.Select(e => e.Elapsed.TotalMinutes).ToArray(), curve.ValidationMetric)]);
var line = plot.Add.HorizontalLine(mlpBits);
line.LegendText = $"{run.Get(ngram)}-gram MLP, held out";
line.LinePattern = ScottPlot.LinePattern.Dashed;
Plots.Save(plot, run.OutputFile("char-lstm-bits-per-char.png"));
ml.Model.Save(lstm, trainIds.Schema, run.OutputFile("char-lstm.zip"));
lstm.Dispose();
return 0;

/// <summary>A row of character ids.</summary>
internal sealed class TokenRow
{
    public int[] Tokens { get; set; } = [];
}
