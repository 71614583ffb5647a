using System.Diagnostics;
using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

/// <summary>Concurrent prediction engines and disposal (memory growth and latency: benchmarks/, the stability and infer benchmarks).</summary>
[TestClass]
public sealed class ScoringTests
{
    private static MLContext ml = null!;
    private static RecurrentPredictionTransformer lstm128 = null!;
    private static List<BinaryRow> rows = null!;

    public TestContext TestContext { get; set; } = null!;

    /// <summary>A 1-layer LSTM-128 over a 5,000-token vocabulary, scored on ~50-token rows (the size the latency goal names).</summary>
    [ClassInitialize]
    public static void Train(TestContext _)
    {
        ml = new MLContext(1);
        var rng = new Random(7);
        rows = Enumerable.Range(0, 2000).Select(_ => new BinaryRow
        {
            Tokens = Enumerable.Range(0, rng.Next(40, 61)).Select(_ => rng.Next(2, 5000)).ToArray(),
            Label = rng.Next(2) == 0,
        }).ToList();
        var options = new RecurrentTrainerOptions { HiddenSize = 128, EmbeddingSize = 64, NumberOfEpochs = 1, Seed = 1 };
        lstm128 = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows.Take(256)));
    }

    [ClassCleanup]
    public static void Cleanup() => lstm128?.Dispose();

    [TestMethod]
    public void SeparatePredictionEnginesOnSeveralThreadsAgreeWithSequentialScoring()
    {
        var sample = rows.Take(300).ToList();
        float[] expected;
        using (var engine = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, lstm128))
            expected = sample.Select(r => engine.Predict(r).Score).ToArray();
        float[] batched = Synthetic.Floats(lstm128.Transform(ml.Data.LoadFromEnumerable(sample)), "Score");

        var results = new float[4][];
        float[]? concurrentBatch = null;
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            using var engine = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, lstm128);
            var scores = new float[sample.Count];
            // Each thread walks the rows in its own order.
            foreach (int i in Enumerable.Range(0, sample.Count).OrderBy(i => (i * (t + 3)) % 301))
                scores[i] = engine.Predict(sample[i]).Score;
            results[t] = scores;
        })).Append(new Thread(() => concurrentBatch = Synthetic.Floats(lstm128.Transform(ml.Data.LoadFromEnumerable(sample)), "Score"))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (int t = 0; t < 4; t++)
            Synthetic.AssertBitIdentical(expected, results[t], $"thread {t}");
        Synthetic.AssertBitIdentical(batched, concurrentBatch!, "batched Transform running beside the engines");
    }

    [TestMethod]
    public void DisposedModelRefusesToScore()
    {
        using var model = ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { EmbeddingSize = 4, HiddenSize = 4, NumberOfEpochs = 1 })
            .Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(20, 1)));
        var data = ml.Data.LoadFromEnumerable(Synthetic.Order(5, 2));
        IDataView pending = model.Transform(data);
        model.Dispose();
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(data));
        Assert.ThrowsExactly<ObjectDisposedException>(() => Synthetic.Floats(pending, "Score"));
    }

    [TestMethod]
    public void PredictionEngineWithMLNetDefaultsOwnsAndDisposesTheModel()
    {
        var model = ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { EmbeddingSize = 4, HiddenSize = 4, NumberOfEpochs = 1 })
            .Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(20, 1)));
        using (var engine = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(model))
            engine.Predict(new BinaryRow { Tokens = new[] { 2, 3 } });
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(ml.Data.LoadFromEnumerable(Synthetic.Order(5, 2))));
    }

}
