using System.Diagnostics;
using Microsoft.ML;
using MLNet.Recurrent;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

using MLNet.Recurrent.Examples;

namespace MLNet.Recurrent.Benchmarks.CharLanguageModel;

/// <summary>
/// Training throughput of <c>TrainLanguageModel</c> (Continuous corpus) against a bare TorchSharp loop over the same
/// windows: the same stream cut into the same B parallel streams and windows, the same network (embedding → LSTM →
/// linear), Adam, gradient clipping, the state carried and detached between windows, a dispose scope per batch.
/// </summary>
internal static class TrainingThroughput
{
    public static void Run(MLContext ml, int[] stream, CharTokenizer tokenizer, CharLanguageModelSettings a, int batches)
    {
        const int rounds = 3;
        int streams = a.BatchSize, window = a.SequenceLength;
        int needed = streams * (batches * window + 1);
        if (stream.Length < needed)
            throw new ArgumentException($"--throughput {batches} needs {needed:N0} training characters; the text has {stream.Length:N0}.");
        int[] slice = stream[..needed];
        Console.WriteLine($"Training throughput: {batches} batches of {streams} × {window} characters, {a.Layers}×{a.HiddenSize} LSTM, {rounds} alternating rounds");
        var bare = new List<double>();
        var library = new List<double>();
        for (int round = 1; round <= rounds; round++)
        {
            double b = Bare(slice, tokenizer.VocabularySize, a, batches);
            Console.WriteLine($"  round {round}: bare TorchSharp loop  {b,10:N0} chars/s");
            bare.Add(b);
            var (epoch, wall) = Library(ml, slice, tokenizer, a);
            Console.WriteLine($"  round {round}: TrainLanguageModel    {epoch,10:N0} chars/s in the training loop, {wall:N0} chars/s for the whole Fit");
            library.Add(epoch);
        }
        Console.WriteLine($"  best of {rounds}: bare {bare.Max():N0}, library {library.Max():N0} chars/s → overhead {bare.Max() / library.Max():F3}x");
    }

    private static (double Epoch, double Wall) Library(MLContext ml, int[] slice, CharTokenizer tokenizer, CharLanguageModelSettings a)
    {
        // One row holding the whole slice: the Continuous corpus concatenates rows anyway.
        IDataView data = tokenizer.Tokenize(ml, new[] { new Paragraph("bench", new string(slice.Select(id => tokenizer.Tokens[id][0]).ToArray())) });
        var options = CharLanguageModelBenchmark.LanguageModelOptions(a);
        options.NumberOfEpochs = 1;
        options.MaximumTrainingTime = null;
        options.ValidationSet = null;
        options.Dropout = 0; // the bare loop has no dropout
        TrainingProgress? last = null;
        options.Progress = new Progress(p => { if (p.IsEpochEnd) last = p; });
        var clock = Stopwatch.StartNew();
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        double wall = (slice.Length - a.BatchSize) / clock.Elapsed.TotalSeconds;
        return (last?.SamplesPerSecond ?? double.NaN, wall);
    }

    private static double Bare(int[] slice, int vocabularySize, CharLanguageModelSettings a, int batches)
    {
        int streams = a.BatchSize, window = a.SequenceLength, perStream = slice.Length / streams;
        manual_seed(a.Seed);
        var model = new BareLstmModel(vocabularySize, a.EmbeddingSize, a.HiddenSize, a.Layers);
        var parameters = model.parameters().ToList();
        using var optimizer = optim.Adam(parameters, a.LearningRate);
        model.train();
        Tensor? state = null;
        long predicted = 0;
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < batches; k++)
        {
            using var scope = NewDisposeScope();
            long[] x = new long[streams * window], y = new long[streams * window];
            for (int s = 0; s < streams; s++)
            {
                for (int t = 0; t < window; t++)
                {
                    x[s * window + t] = slice[s * perStream + k * window + t];
                    y[s * window + t] = slice[s * perStream + k * window + t + 1];
                }
            }
            Tensor inputs = tensor(x, new long[] { streams, window }), targets = tensor(y, new long[] { streams, window });
            optimizer.zero_grad();
            var (logits, next) = model.call(inputs, state);
            Tensor loss = nn.functional.cross_entropy(logits.reshape(-1, vocabularySize), targets.reshape(-1));
            state?.Dispose();
            state = next.detach().DetachFromDisposeScope();
            if (!float.IsFinite(loss.item<float>()))
                throw new InvalidOperationException("bare loop diverged");
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, a.ClipNorm);
            optimizer.step();
            predicted += streams * window;
        }
        double rate = predicted / clock.Elapsed.TotalSeconds;
        state?.Dispose();
        model.Dispose();
        return rate;
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>Embedding → LSTM → linear, written directly against TorchSharp (state = stacked h and c, as in the library).</summary>
    private sealed class BareLstmModel : nn.Module<Tensor, Tensor?, (Tensor, Tensor)>
    {
        private readonly Embedding embedding;
        private readonly LSTM lstm;
        private readonly Linear decoder;

        public BareLstmModel(int vocabularySize, int embeddingSize, int hiddenSize, int layers) : base(nameof(BareLstmModel))
        {
            embedding = nn.Embedding(vocabularySize, embeddingSize);
            lstm = nn.LSTM(embeddingSize, hiddenSize, layers, batchFirst: true);
            decoder = nn.Linear(hiddenSize, vocabularySize);
            RegisterComponents();
        }

        public override (Tensor, Tensor) forward(Tensor tokens, Tensor? state)
        {
            var (output, h, c) = lstm.call(embedding.call(tokens), state is null ? null : (state[0], state[1]));
            return (decoder.call(output), stack(new[] { h, c }));
        }
    }
}
