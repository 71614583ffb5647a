using Microsoft.ML;
using TorchSharp;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class LanguageModelTrainingTests
{
    [TestMethod]
    public void TinyLstmLearnsRepeatingPatternAndGeneratesItBackGreedily()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        LanguageModelMetrics metrics = model.Evaluate(TrainedPatternModel.Data);
        Assert.IsLessThan(0.05, metrics.CrossEntropy, $"near-zero loss expected on a deterministic pattern: {metrics}");
        Assert.AreEqual(48 * 23, metrics.TokenCount);

        string text = model.Generate("ab", 30, new GenerationOptions { Temperature = 0 });
        Assert.AreEqual("cdabcdabcdabcdabcdabcdabcdabcd", text);
        Assert.AreEqual(text, model.Generate("ab", 30, new GenerationOptions { Temperature = 0, Seed = 99 }), "greedy decoding ignores the seed");
    }

    [TestMethod]
    [DataRow(LanguageModelCorpus.Continuous, RecurrentCell.Gru, false)]
    [DataRow(LanguageModelCorpus.IndependentRows, RecurrentCell.Rnn, true)]
    public void OtherCellsCorpusModesAndTiedWeightsLearnThePatternToo(LanguageModelCorpus corpus, RecurrentCell cell, bool tie)
    {
        var ml = new MLContext(seed: 2);
        var codec = new TestCharCodec("xyz");
        // Continuous: a handful of rows that together form one long periodic text.
        string[] texts = corpus == LanguageModelCorpus.Continuous
            ? Enumerable.Range(0, 12).Select(_ => string.Concat(Enumerable.Repeat("xyz", 20))).ToArray()
            : LanguageModelTestData.Repeating("xyz", 48, 20, seed: 5);
        IDataView data = LanguageModelTestData.Load(ml, codec, texts);
        var options = LanguageModelTestData.TinyOptions(cell);
        options.Corpus = corpus;
        options.BatchSize = 8;
        options.TieWeights = tie;
        if (tie)
            options.EmbeddingSize = options.HiddenSize;
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        Assert.IsTrue(model.TieWeights == tie);
        Assert.IsLessThan(0.1, model.Evaluate(data).CrossEntropy);
        Assert.AreEqual("xyzxyzxyz", model.Generate("xyzxy", 10, new GenerationOptions { Temperature = 0 })[1..]);
    }

    [TestMethod]
    public void SameSeedGivesTheSameModelOnTheCpu()
    {
        var ml = new MLContext(seed: 4);
        var codec = new TestCharCodec("pq");
        IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("ppq", 16, 12, seed: 1));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 2;
        options.Dropout = 0.2;
        using var a = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        using var b = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        options.Seed = 2;
        using var c = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        Assert.AreEqual(a.Evaluate(data).LogLikelihood, b.Evaluate(data).LogLikelihood);
        Assert.AreNotEqual(a.Evaluate(data).LogLikelihood, c.Evaluate(data).LogLikelihood);
    }

    [TestMethod]
    public void DropoutStartEpochTrainsTheEarlierEpochsWithoutDropout()
    {
        var ml = new MLContext(seed: 4);
        IDataView data = LanguageModelTestData.Load(ml, new TestCharCodec("pq"), LanguageModelTestData.Repeating("ppq", 16, 12, seed: 1));
        double Trained(int epochs, int dropoutStartEpoch, double dropout = 0.3)
        {
            var options = LanguageModelTestData.TinyOptions();
            options.NumberOfLayers = 2;
            options.NumberOfEpochs = epochs;
            options.Dropout = dropout;
            options.DropoutStartEpoch = dropoutStartEpoch;
            using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
            return model.Evaluate(data).LogLikelihood;
        }

        // Before its start epoch the rate makes no difference (no dropout); from it on it does.
        Assert.AreEqual(Trained(2, dropoutStartEpoch: 3, dropout: 0.3), Trained(2, dropoutStartEpoch: 3, dropout: 0.6));
        Assert.AreNotEqual(Trained(2, dropoutStartEpoch: 2, dropout: 0.3), Trained(2, dropoutStartEpoch: 2, dropout: 0.6));
        // Start 1 applies it from the first epoch as well.
        Assert.AreNotEqual(Trained(2, dropoutStartEpoch: 1), Trained(2, dropoutStartEpoch: 2));
    }

    [TestMethod]
    public void EarlyStoppingStopsWhenValidationGetsWorseAndRestoresTheBestEpoch()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("abc");
        IDataView train = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("abc", 32, 16, seed: 1));
        // The reversed pattern: the better the model learns "abc", the worse it predicts "acb".
        IDataView valid = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("acb", 8, 16, seed: 2));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 40;
        options.ValidationSet = valid;
        options.EarlyStoppingPatience = 2;
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(train);

        var history = model.TrainingHistory.Where(p => p.IsEpochEnd).ToList();
        Assert.IsLessThan(40, history.Count, "training should stop early");
        double best = history.Min(p => p.ValidationLoss!.Value);
        int bestEpoch = history.First(p => p.ValidationLoss == best).Epoch;
        Assert.AreEqual(bestEpoch + 2, history.Count, "stops after `patience` epochs without improvement");
        Assert.AreEqual(best, model.Evaluate(valid).CrossEntropy, 1e-4, "the best epoch's weights are restored");
        Assert.AreEqual(history[^1].ValidationLoss!.Value / Math.Log(2), history[^1].ValidationMetric!.Value, 1e-9, "metric is bits per token");
    }

    [TestMethod]
    public void CancellationTokenAndMLContextCancelExecutionStopTraining()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("ab");
        IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("ab", 64, 30, seed: 1));
        using var cts = new CancellationTokenSource();
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 1000;
        options.BatchSize = 2;
        options.CancellationToken = cts.Token;
        int reports = 0;
        options.Progress = new SynchronousProgress(_ => { if (++reports == 1) cts.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Transforms.Text.TrainLanguageModel(options).Fit(data));

        var ml2 = new MLContext(seed: 1);
        var options2 = LanguageModelTestData.TinyOptions();
        options2.NumberOfEpochs = 1000;
        // MLContext.CancelExecution() is internal in ML.NET 5 (used by AutoML/hosts); reach it as they do.
        var cancel = typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        Assert.IsNotNull(cancel);
        options2.Progress = new SynchronousProgress(_ => cancel.Invoke(ml2, null));
        IDataView data2 = LanguageModelTestData.Load(ml2, codec, LanguageModelTestData.Repeating("ab", 64, 30, seed: 1));
        Assert.Throws<OperationCanceledException>(() => ml2.Transforms.Text.TrainLanguageModel(options2).Fit(data2));
    }

    [TestMethod]
    public void TimeLimitEndsTrainingEarlyWithAUsableModel()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("ab");
        IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("ab", 64, 30, seed: 1));
        var options = LanguageModelTestData.TinyOptions();
        var limit = TimeSpan.FromMilliseconds(600);
        options.NumberOfEpochs = 5000;
        options.MaximumTrainingTime = limit;
        options.LearningRateSchedule = LearningRateSchedule.LinearDecay;
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        var epochs = model.TrainingHistory.Where(p => p.IsEpochEnd).ToList();
        // It stopped in the epoch during which the budget ran out: every earlier epoch ended inside it, the last one after it.
        Assert.IsGreaterThanOrEqualTo(2, epochs.Count, "a few epochs fit in the budget");
        Assert.IsLessThan(5000, epochs.Count, "training stopped before its planned epochs");
        Assert.IsLessThan(limit, epochs[^2].Elapsed, "the epoch before the last ended inside the budget");
        Assert.IsGreaterThanOrEqualTo(limit, epochs[^1].Elapsed, "the last epoch ended once the budget had run out");
        // 5,000 planned epochs would barely decay the rate; the time budget drives the decay instead.
        Assert.IsLessThan(0.25 * options.LearningRate, epochs[^1].LearningRate, $"last learning rate {epochs[^1].LearningRate}");
        Assert.IsTrue(double.IsFinite(model.Evaluate(data).CrossEntropy));
    }

    [TestMethod]
    public void WarmupRaisesTheLearningRateLinearlyOverItsFirstBatches()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("ab");
        IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("ab", 4, 64, seed: 1));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 9;
        options.LearningRateSchedule = LearningRateSchedule.Constant;
        options.WarmupSteps = 7;
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        var epochs = model.TrainingHistory.Where(p => p.IsEpochEnd).ToList();
        Assert.HasCount(9, epochs);
        int perEpoch = epochs[0].BatchesPerEpoch;
        Assert.IsLessThan(7, perEpoch, "the warm-up should span several epochs for this check");
        for (int e = 1; e <= epochs.Count; e++)
        {
            // The progress reports the rate of the epoch's last batch, batch e·perEpoch of the run.
            double expected = options.LearningRate * Math.Min(1.0, e * perEpoch / 7.0);
            Assert.AreEqual(expected, epochs[e - 1].LearningRate, 1e-12, $"epoch {e} ({perEpoch} batches per epoch)");
        }
        Assert.AreEqual(options.LearningRate, epochs[^1].LearningRate, 1e-12);
    }

    [TestMethod]
    public void EveryShuffledContinuousEpochReadsTheAnnouncedNumberOfWindows()
    {
        // The learning-rate schedule counts batches against BatchesPerEpoch: a shifted first window used to add one
        // window to some epochs (978 of 977 announced), and the linear decay then went below 0 at the end.
        TorchRuntime.EnsureLoaded();
        foreach (int length in new[] { 101, 130, 2000 })
        {
            int[] tokens = Enumerable.Range(0, length).Select(i => 1 + i % 5).ToArray();
            var batcher = new ContinuousStreamBatcher(tokens, batchSize: 4, sequenceLength: 8, seed: 3, torch.CPU);
            for (int epoch = 1; epoch <= 40; epoch++)
            {
                long predicted = 0;
                int windows = 0;
                foreach (LanguageModelBatch batch in batcher.Batches(epoch, shuffle: true))
                    using (batch)
                    {
                        windows++;
                        Assert.IsLessThanOrEqualTo(8L, batch.Inputs.shape[1]);
                        predicted += batch.Inputs.shape[1];
                    }
                Assert.AreEqual(batcher.BatchesPerEpoch, windows, $"{length} tokens, epoch {epoch}");
                Assert.IsLessThan(8L, batcher.PredictedPerStream - predicted, $"{length} tokens, epoch {epoch}: positions left out");
            }
        }
    }

    /// <summary>
    /// Trains a small two-layer LSTM language model for one epoch of 24-row batches, the batches cut into
    /// <paramref name="workers"/> data-parallel parts (1: whole), and returns its parameters.
    /// </summary>
    private static float[] TrainLanguageModelWithWorkers(LanguageModelCorpus corpus, int workers, double dropout, int seed)
    {
        TorchRuntime.EnsureLoaded();
        var rng = new Random(5);
        // A pattern with random insertions, so that what a stream saw earlier (the carried state) changes the loss.
        int[] tokens = Enumerable.Range(0, 24 * 60).Select(i => i % 7 == 0 ? 1 + rng.Next(9) : 1 + i % 5).ToArray();
        var architecture = new LanguageModelArchitecture { VocabularySize = 10, EmbeddingSize = 6, HiddenSize = 12, NumberOfLayers = 2, Dropout = dropout };
        return TrainingRandomness.Run(seed, g =>
        {
            using var model = new RecurrentLanguageModel(architecture, g);
            IBatchSource<LanguageModelBatch> batcher = corpus == LanguageModelCorpus.Continuous
                ? new ContinuousStreamBatcher(tokens, batchSize: 24, sequenceLength: 8, seed: 3, torch.CPU)
                : new IndependentRowsBatcher(tokens.Chunk(13).Select((row, i) => row[..(4 + i % 10)]).ToArray(), sequenceLength: 8, batchSize: 24, seed: 3, torch.CPU);
            using var objective = new LanguageModelObjective(model);
            new TrainingLoop<LanguageModelBatch>(model, batcher, null, objective,
                new TrainingSettings { NumberOfEpochs = 1, LearningRate = 0.01, GradientClipNorm = 1, Workers = workers }).Run();
            return Synthetic.Parameters(model);
        });
    }

    [TestMethod]
    [DataRow(LanguageModelCorpus.Continuous)]
    [DataRow(LanguageModelCorpus.IndependentRows)]
    public void DataParallelPartsCarryTheirOwnStreamsStateAndAddUpToWholeBatches(LanguageModelCorpus corpus)
    {
        // Without dropout the only difference is float rounding: each part carries the state of its own streams from
        // batch to batch, and the parts' gradients weighted by their predicted tokens are the whole batch's (a part
        // starting from another part's state, or from none, moves the weights by far more).
        float[] whole = TrainLanguageModelWithWorkers(corpus, 1, dropout: 0, seed: 21);
        float[] inParts = TrainLanguageModelWithWorkers(corpus, 2, dropout: 0, seed: 21);
        Synthetic.AssertClose(whole, inParts, 2e-5f, $"{corpus}: parameters after one epoch, whole batches vs 2 parts");
        float[] inThreeParts = TrainLanguageModelWithWorkers(corpus, 3, dropout: 0, seed: 21);
        Synthetic.AssertClose(whole, inThreeParts, 2e-5f, $"{corpus}: parameters after one epoch, whole batches vs 3 parts");
    }

    [TestMethod]
    public void DataParallelLanguageModelTrainingWithDropoutIsReproducible()
    {
        float[] first = TrainLanguageModelWithWorkers(LanguageModelCorpus.Continuous, 2, dropout: 0.5, seed: 22);
        float[] second = TrainLanguageModelWithWorkers(LanguageModelCorpus.Continuous, 2, dropout: 0.5, seed: 22);
        Synthetic.AssertBitIdentical(first, second, "two data-parallel trainings with the same seed");
        float[] otherSeed = TrainLanguageModelWithWorkers(LanguageModelCorpus.Continuous, 2, dropout: 0.5, seed: 23);
        Assert.IsFalse(first.SequenceEqual(otherSeed), "another seed gives another model");
    }

    [TestMethod]
    public void LinearDecayNeverGoesBelowZeroOnAContinuousCorpus()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("abc");
        IDataView data = LanguageModelTestData.Load(ml, codec, Enumerable.Range(0, 6).Select(_ => string.Concat(Enumerable.Repeat("abcab", 9))).ToArray());
        var options = LanguageModelTestData.TinyOptions();
        options.Corpus = LanguageModelCorpus.Continuous;
        options.BatchSize = 2;
        options.SequenceLength = 8;
        options.NumberOfEpochs = 12;
        options.LearningRateSchedule = LearningRateSchedule.LinearDecay;
        var rates = new List<double>();
        options.Progress = new SynchronousProgress(p => rates.Add(p.LearningRate));
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        Assert.IsNotEmpty(rates);
        Assert.IsTrue(rates.All(r => r >= 0), $"rates: {string.Join(", ", rates)}");
        var last = model.TrainingHistory.Last();
        Assert.AreEqual(last.BatchesPerEpoch, last.Batch, "the last epoch ends on the announced batch count");
        // The last batch trains at 1 / (total batches) of the rate: the decay's last step before 0.
        Assert.AreEqual(options.LearningRate / (last.BatchesPerEpoch * 12.0), last.LearningRate, 1e-12);
    }

    [TestMethod]
    public void AdamBetasReachTheOptimizer()
    {
        double LastTrainLoss(double beta1, double beta2)
        {
            var ml = new MLContext(seed: 1);
            IDataView data = LanguageModelTestData.Load(ml, new TestCharCodec("abc"), LanguageModelTestData.Repeating("abc", 8, 48, seed: 1));
            var options = LanguageModelTestData.TinyOptions();
            options.NumberOfEpochs = 3;
            options.AdamBeta1 = beta1;
            options.AdamBeta2 = beta2;
            using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
            return model.TrainingHistory.Last(p => p.IsEpochEnd).TrainLoss;
        }
        double defaults = LastTrainLoss(0.9, 0.999);
        Assert.AreEqual(defaults, LastTrainLoss(0.9, 0.999), "same seed, same options");
        Assert.AreNotEqual(defaults, LastTrainLoss(0.9, 0.9), "β₂");
        Assert.AreNotEqual(defaults, LastTrainLoss(0.5, 0.999), "β₁");
    }

    [TestMethod]
    public void KerasInitializationOptionReachesTheLstm()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = LanguageModelTestData.Load(ml, new TestCharCodec("ab"), LanguageModelTestData.Repeating("ab", 8, 12, seed: 1));
        float[] ForgetBiases(RecurrentInitialization initialization)
        {
            var options = LanguageModelTestData.TinyOptions();
            options.NumberOfEpochs = 1;
            options.LearningRate = 1e-9; // Adam moves each weight by about the learning rate: the start stays visible
            options.RecurrentInitialization = initialization;
            using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
            using var scope = TorchSharp.torch.NewDisposeScope();
            var bias = model.Model.named_parameters().Single(p => p.name.EndsWith("bias_ih_l0")).parameter;
            return bias.narrow(0, options.HiddenSize, options.HiddenSize).data<float>().ToArray();
        }
        Assert.IsTrue(ForgetBiases(RecurrentInitialization.Keras).All(b => Math.Abs(b - 1) < 1e-4), "Keras: forget-gate biases start at 1");
        float[] pytorch = ForgetBiases(RecurrentInitialization.PyTorch);
        Assert.IsTrue(pytorch.All(b => Math.Abs(b) < 0.2) && pytorch.Distinct().Count() > 1, "PyTorch: small and random");
    }

    [TestMethod]
    public void InvalidOptionsAndColumnsAreRejectedWithTheOptionNamed()
    {
        var ml = new MLContext();
        void Rejects(Action<LanguageModelOptions> change, string name)
        {
            var options = LanguageModelTestData.TinyOptions();
            change(options);
            var e = Assert.Throws<ArgumentException>(() => ml.Transforms.Text.TrainLanguageModel(options));
            StringAssert.Contains(e.Message, name);
        }
        Rejects(o => { o.TieWeights = true; o.EmbeddingSize = 8; o.HiddenSize = 16; }, "EmbeddingSize == HiddenSize");
        Rejects(o => o.SequenceLength = 0, nameof(LanguageModelOptions.SequenceLength));
        Rejects(o => o.Dropout = 1, nameof(LanguageModelOptions.Dropout));
        Rejects(o => o.DropoutStartEpoch = 0, nameof(LanguageModelOptions.DropoutStartEpoch));
        Rejects(o => o.RecurrentInitialization = (RecurrentInitialization)7, nameof(LanguageModelOptions.RecurrentInitialization));
        Rejects(o => o.LearningRate = 0, nameof(LanguageModelOptions.LearningRate));
        Rejects(o => o.GradientClipNorm = -1, nameof(LanguageModelOptions.GradientClipNorm));
        Rejects(o => o.WarmupSteps = -1, nameof(LanguageModelOptions.WarmupSteps));
        Rejects(o => o.AdamBeta1 = 1, nameof(LanguageModelOptions.AdamBeta1));
        Rejects(o => o.AdamBeta2 = -0.1, nameof(LanguageModelOptions.AdamBeta2));
        Rejects(o => o.EarlyStoppingPatience = 2, nameof(LanguageModelOptions.ValidationSet));
        Rejects(o => o.MaximumTrainingTime = TimeSpan.Zero, nameof(LanguageModelOptions.MaximumTrainingTime));
        Rejects(o => o.Device = "gpu", nameof(LanguageModelOptions.Device));
        Rejects(o => o.TokenCountColumnName = "LogLikelihood", "must differ");

        var text = ml.Data.LoadFromEnumerable(new[] { new { Tokens = "abc" } });
        var estimator = ml.Transforms.Text.TrainLanguageModel(LanguageModelTestData.TinyOptions());
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => estimator.Fit(text)).Message, "vector of Int32 token ids");
        var empty = LanguageModelTestData.Load(ml, new TestCharCodec("a"), new[] { "a", "" });
        StringAssert.Contains(Assert.Throws<InvalidOperationException>(() => estimator.Fit(empty)).Message, "2 or more tokens");
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
