using System.Reflection;
using Microsoft.ML;
using TorchSharp;

namespace MLNet.Recurrent.Tests;

/// <summary>Seeds, validation, early stopping, progress, cancellation, threads, devices, logging, weights, sequence length.</summary>
[TestClass]
public sealed class TrainingBehaviourTests
{
    /// <summary>An <see cref="IProgress{T}"/> that records synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Recorder(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = new();

        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    private static RecurrentTrainerOptions Quick(int epochs = 3) => new()
    {
        EmbeddingSize = 6,
        HiddenSize = 12,
        BatchSize = 32,
        NumberOfEpochs = epochs,
        LearningRate = 0.02,
        Seed = 5,
    };

    private static float[] Scores(MLContext ml, ITransformer model, IDataView data) => Synthetic.Floats(model.Transform(data), "Score");

    [TestMethod]
    public void KerasInitializationOptionReachesBothDirectionsOfTheEncoder()
    {
        var ml = new MLContext();
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(40, 21));
        var options = Quick();
        options.NumberOfEpochs = 1;
        options.LearningRate = 1e-9; // Adam moves each weight by about the learning rate: the start stays visible
        options.Bidirectional = true;
        options.RecurrentInitialization = RecurrentInitialization.Keras;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var biases = model.Model.Encoder.named_parameters().Where(p => p.name.Contains("bias_ih_l")).ToList();
        Assert.HasCount(2, biases, "one per direction");
        foreach (var (name, bias) in biases)
        {
            float[] forget = bias.narrow(0, options.HiddenSize, options.HiddenSize).data<float>().ToArray();
            Assert.IsTrue(forget.All(b => Math.Abs(b - 1) < 1e-4), $"{name}: forget-gate biases start at 1");
        }
    }

    [TestMethod]
    public void SameSeedAndDataGiveABitIdenticalModelAndAnotherSeedDoesNot()
    {
        var ml = new MLContext();
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(200, 21));
        var test = ml.Data.LoadFromEnumerable(Synthetic.Order(50, 22));
        RecurrentTrainerOptions Options(int seed)
        {
            var o = Quick();
            o.NumberOfLayers = 2;
            o.Dropout = 0.3; // exercises the global generator too
            o.Seed = seed;
            return o;
        }
        using var a = ml.BinaryClassification.Trainers.Recurrent(Options(5)).Fit(train);
        using var b = ml.BinaryClassification.Trainers.Recurrent(Options(5)).Fit(train);
        using var c = ml.BinaryClassification.Trainers.Recurrent(Options(6)).Fit(train);
        Synthetic.AssertBitIdentical(Scores(ml, a, test), Scores(ml, b, test), "same seed");
        CollectionAssert.AreNotEqual(Scores(ml, a, test), Scores(ml, c, test), "another seed");
        Assert.AreEqual(a.TrainingHistory[^1].TrainLoss, b.TrainingHistory[^1].TrainLoss);
    }

    [TestMethod]
    public void MLContextSeedIsUsedWhenTheOptionsHaveNone()
    {
        var rows = Synthetic.Order(120, 23);
        float[] Run(int contextSeed)
        {
            var ml = new MLContext(contextSeed);
            var o = Quick(2);
            o.Seed = null;
            using var model = ml.BinaryClassification.Trainers.Recurrent(o).Fit(ml.Data.LoadFromEnumerable(rows));
            return Scores(ml, model, ml.Data.LoadFromEnumerable(rows));
        }
        Synthetic.AssertBitIdentical(Run(3), Run(3), "same MLContext seed");
        CollectionAssert.AreNotEqual(Run(3), Run(4));
    }

    [TestMethod]
    public void EarlyStoppingStopsWhenValidationLossRisesAndRestoresTheBestWeights()
    {
        var ml = new MLContext();
        // Random labels: the network can only memorise the training rows, so the validation loss soon rises.
        var rng = new Random(31);
        var noise = Synthetic.Order(120, 31).Select(r => new BinaryRow { Tokens = r.Tokens, Label = rng.Next(2) == 0 }).ToList();
        var validationRows = Synthetic.Order(120, 32).Select(r => new BinaryRow { Tokens = r.Tokens, Label = rng.Next(2) == 0 }).ToList();
        var o = Quick(40);
        o.HiddenSize = 32;
        o.LearningRate = 0.05;
        o.ValidationSet = ml.Data.LoadFromEnumerable(validationRows);
        o.EarlyStoppingPatience = 2;
        var progress = new Recorder();
        o.Progress = progress;
        using var model = ml.BinaryClassification.Trainers.Recurrent(o).Fit(ml.Data.LoadFromEnumerable(noise));

        var history = model.TrainingHistory;
        Assert.IsLessThan(40, history.Count, "stopped early");
        double best = history.Min(h => h.ValidationLoss!.Value);
        int bestEpoch = history.First(h => h.ValidationLoss == best).Epoch;
        Assert.AreEqual(bestEpoch + 2, history[^1].Epoch, "stops after 'patience' epochs without improvement");
        Assert.IsGreaterThan(best, history[^1].ValidationLoss!.Value);

        // The returned model has the best epoch's weights: its validation loss is the best one, not the last one.
        var scored = ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(o.ValidationSet), reuseRowObject: false).ToList();
        double loss = scored.Zip(validationRows).Average(p =>
            -Math.Log(Math.Clamp(p.Second.Label ? p.First.Probability : 1 - p.First.Probability, 1e-12, 1)));
        Assert.AreEqual(best, loss, 1e-4, "validation loss of the returned model");
        Assert.IsTrue(progress.Reports.Where(r => r.IsEpochEnd).All(r => r.ValidationMetric is >= 0 and <= 1 && r.MetricName == "accuracy"));
    }

    [TestMethod]
    public void FitWithValidationDataReportsValidationLoss()
    {
        var ml = new MLContext();
        var trainer = ml.MulticlassClassification.Trainers.Recurrent(Quick(2));
        var key = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(Synthetic.FirstOf(100, 42)));
        using var model = trainer.Fit(key.Transform(ml.Data.LoadFromEnumerable(Synthetic.FirstOf(100, 42))), key.Transform(ml.Data.LoadFromEnumerable(Synthetic.FirstOf(40, 43))));
        Assert.IsTrue(model.TrainingHistory.All(h => h.ValidationLoss is not null && h.ValidationMetric is not null));
        Assert.IsNull(trainer.Options.ValidationSet, "the trainer's own options are unchanged");
    }

    [TestMethod]
    public void ValidationFractionHoldsOutRowsAndReportsProgress()
    {
        var ml = new MLContext();
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var o = Quick(3);
        o.ValidationFraction = 0.25;
        var progress = new Recorder();
        o.Progress = progress;
        using var model = ml.BinaryClassification.Trainers.Recurrent(o).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(200, 41)));

        var ends = progress.Reports.Where(r => r.IsEpochEnd).ToList();
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, ends.Select(r => r.Epoch).ToArray());
        foreach (var r in ends)
        {
            Assert.IsNotNull(r.ValidationLoss);
            Assert.AreEqual(3, r.TotalEpochs);
            Assert.AreEqual(r.BatchesPerEpoch, r.Batch);
            Assert.IsGreaterThan(0, r.SamplesPerSecond);
            Assert.IsTrue(double.IsFinite(r.TrainLoss));
        }
        Assert.AreEqual(TimeSpan.Zero, ends[^1].EstimatedRemaining);
        Assert.AreEqual(5, ends[0].BatchesPerEpoch, "150 training rows in batches of 32");
        lock (messages)
        {
            Assert.IsTrue(messages.Any(m => m.Contains("Held out 50 of 200")), string.Join("\n", messages));
            Assert.IsTrue(messages.Any(m => m.Contains("Using device cpu")), "device log line");
            Assert.IsTrue(messages.Any(m => m.Contains("epoch 3/3")), "per-epoch log line");
        }
    }

    [TestMethod]
    public void CancellationTokenStopsTrainingAtTheNextBatch()
    {
        var ml = new MLContext();
        using var cts = new CancellationTokenSource();
        var o = Quick(50);
        o.CancellationToken = cts.Token;
        o.Progress = new Recorder(p => { if (p.IsEpochEnd) cts.Cancel(); });
        var data = ml.Data.LoadFromEnumerable(Synthetic.Order(100, 51));
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.BinaryClassification.Trainers.Recurrent(o).Fit(data));

        var pre = Quick();
        pre.CancellationToken = cts.Token; // already cancelled: nothing is trained
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.BinaryClassification.Trainers.Recurrent(pre).Fit(data));
    }

    [TestMethod]
    public void MLContextCancelExecutionStopsTraining()
    {
        var ml = new MLContext();
        // MLContext.CancelExecution() is internal in ML.NET 5 (hosts such as Model Builder call it); reflection stands in.
        MethodInfo cancel = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
        var o = Quick(50);
        int epochs = 0;
        o.Progress = new Recorder(p => { if (p.IsEpochEnd && ++epochs == 1) cancel.Invoke(ml, null); });
        var data = ml.Data.LoadFromEnumerable(Synthetic.Order(100, 52));
        Assert.Throws<OperationCanceledException>(() => ml.BinaryClassification.Trainers.Recurrent(o).Fit(data));
        Assert.AreEqual(1, epochs);
    }

    /// <summary>
    /// Fits a quick binary model with <paramref name="threads"/>; returns libtorch's thread count on the training thread
    /// during training, the count after the fit, the count before it and the log.
    /// </summary>
    private static (int During, int After, int Before, string Log) FitWithThreads(Func<int, int> threads)
    {
        var ml = new MLContext();
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        int before = torch.get_num_threads();
        int during = -1;
        var o = Quick(1);
        o.NumberOfThreads = threads(before);
        o.Progress = new Recorder(_ => during = torch.get_num_threads());
        using (ml.BinaryClassification.Trainers.Recurrent(o).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(64, 53))))
        {
        }
        lock (messages)
            return (during, torch.get_num_threads(), before, string.Join("\n", messages));
    }

    [TestMethod]
    public void NumberOfThreadsDecidesTheDataParallelPartsAndIsRestored()
    {
        var (during, after, before, log) = FitWithThreads(before => before + 1);
        Assert.AreEqual(1, during, "the training thread runs on one intra-op thread beside its workers");
        Assert.AreEqual(before, after);
        Assert.Contains($"up to {before + 1} parts", log);
    }

    [TestMethod]
    public void OneThreadTrainsWholeBatchesOnTheCallingThread()
    {
        var (during, after, before, log) = FitWithThreads(_ => 1);
        Assert.AreEqual(1, during);
        Assert.AreEqual(before, after);
        Assert.DoesNotContain("data-parallel", log);
    }

    [TestMethod]
    public void CudaRequestWithoutCudaFallsBackToCpuWithALogLine()
    {
        if (torch.cuda.is_available())
            Assert.Inconclusive("CUDA is available on this machine.");
        var ml = new MLContext();
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var o = Quick(1);
        o.Device = "cuda:0";
        using var model = ml.BinaryClassification.Trainers.Recurrent(o).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(40, 54)));
        Assert.AreEqual("cpu", model.Device);
        lock (messages)
            Assert.IsTrue(messages.Any(m => m.Contains("CUDA is not available") && m.Contains("falling back to cpu")), string.Join("\n", messages));
    }

    [TestMethod]
    public void ExampleWeightsDecideWhichRowsCount()
    {
        var ml = new MLContext();
        // Half the rows have the wrong label but weight 0: a weighted model still learns the real task.
        var rows = Synthetic.Order(600, 61);
        var weighted = rows.Select((r, i) => new WeightedRow { Tokens = r.Tokens, Label = i % 2 == 0 ? r.Label : !r.Label, Weight = i % 2 == 0 ? 1 : 0 }).ToList();
        var o = Synthetic.SmallOptions(10);
        o.ExampleWeightColumnName = "Weight";
        using var model = ml.BinaryClassification.Trainers.Recurrent(o).Fit(ml.Data.LoadFromEnumerable(weighted));
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(Synthetic.Order(200, 62))));
        Assert.IsGreaterThan(0.85, metrics.Accuracy, $"accuracy {metrics.Accuracy}");
    }

    public sealed class WeightedRow
    {
        [Microsoft.ML.Data.VectorType]
        public int[] Tokens { get; set; } = Array.Empty<int>();

        public bool Label { get; set; }

        public float Weight { get; set; }
    }

    [TestMethod]
    public void MaximumSequenceLengthKeepsTheFirstTokensInTrainingAndPrediction()
    {
        var ml = new MLContext();
        var o = Quick(2);
        o.MaximumSequenceLength = 4;
        using var model = ml.BinaryClassification.Trainers.Recurrent(o).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(100, 63)));
        Assert.AreEqual(4, model.MaximumSequenceLength);
        var shortRows = new[] { new BinaryRow { Tokens = new[] { 4, 2, 5, 3 } } };
        var longRows = new[] { new BinaryRow { Tokens = new[] { 4, 2, 5, 3, 6, 6, 7, 3, 2 } } };
        Synthetic.AssertBitIdentical(Scores(ml, model, ml.Data.LoadFromEnumerable(shortRows)), Scores(ml, model, ml.Data.LoadFromEnumerable(longRows)), "Transform");
        using var engine = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, model);
        Assert.AreEqual(engine.Predict(shortRows[0]).Score, engine.Predict(longRows[0]).Score);
    }
}
