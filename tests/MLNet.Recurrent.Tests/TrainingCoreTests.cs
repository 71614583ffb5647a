using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class TrainingCoreTests
{
    /// <summary>Bit strings of tokens 2 ("0") and 3 ("1"), length 1..maxLength; target = parity of the 1s.</summary>
    internal static (int[][] Sequences, float[] Targets) Parity(int rows, int maxLength, int seed)
    {
        var rng = new Random(seed);
        var seqs = new int[rows][];
        var y = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            seqs[i] = Enumerable.Range(0, rng.Next(1, maxLength + 1)).Select(_ => rng.Next(2) + 2).ToArray();
            y[i] = seqs[i].Count(t => t == 3) % 2;
        }
        return (seqs, y);
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm)]
    [DataRow(RecurrentCell.Gru)]
    public void TrainingLoopLearnsParityWhichNeedsOrderAndState(RecurrentCell cell)
    {
        TorchRuntime.EnsureLoaded();
        var (x, y) = Parity(600, 8, 1);
        var options = new RecurrentEncoderOptions { VocabularySize = 4, EmbeddingSize = 8, HiddenSize = 24, Cell = cell };
        double accuracy = TrainingRandomness.Run(7, g =>
        {
            using var model = new RecurrentSequenceModel(options, 1, g);
            var batcher = new SequenceBatcher(x, y, null, 32, bucketByLength: true, seed: 7, CPU);
            var objective = new SequenceObjective(model, PredictionTasks.Get(RecurrentTask.BinaryClassification));
            new TrainingLoop<SequenceBatch>(model, batcher, null, objective,
                new TrainingSettings { NumberOfEpochs = 25, LearningRate = 0.02 }).Run();
            var test = Parity(200, 8, 2);
            var eval = TrainingLoop<SequenceBatch>.Evaluate(model, new SequenceBatcher(test.Sequences, test.Targets, null, 64, false, 0, CPU), objective);
            return objective.Metric(eval);
        });
        Assert.IsGreaterThan(0.95, accuracy, $"parity accuracy {accuracy}");
    }

    /// <summary>
    /// Trains a small bidirectional classifier on parity rows with uneven example weights (so the two halves of a batch
    /// carry different loss weights) and returns its parameters.
    /// </summary>
    private static float[] TrainWithWorkers(int workers, double dropout, int seed)
    {
        TorchRuntime.EnsureLoaded();
        var (x, y) = Parity(96, 12, 3);
        float[] weights = Enumerable.Range(0, x.Length).Select(i => 0.25f + i % 5).ToArray();
        var options = new RecurrentEncoderOptions { VocabularySize = 4, EmbeddingSize = 8, HiddenSize = 10, Bidirectional = true, NumberOfLayers = 2, Dropout = dropout };
        return TrainingRandomness.Run(seed, g =>
        {
            using var model = new RecurrentSequenceModel(options, 1, g);
            var batcher = new SequenceBatcher(x, y, weights, 32, bucketByLength: true, seed: 7, CPU);
            var objective = new SequenceObjective(model, PredictionTasks.Get(RecurrentTask.BinaryClassification));
            new TrainingLoop<SequenceBatch>(model, batcher, null, objective,
                new TrainingSettings { NumberOfEpochs = 3, LearningRate = 0.02, GradientClipNorm = 1, Workers = workers }).Run();
            return Synthetic.Parameters(model);
        });
    }

    [TestMethod]
    public void DataParallelPartsAddUpToTheWholeBatchsGradient()
    {
        // Without dropout the only difference is float rounding: the parts' gradients, weighted by their share of the
        // batch's loss weight, are the whole batch's gradient (a wrong weighting moves the weights by far more).
        float[] whole = TrainWithWorkers(1, dropout: 0, seed: 11);
        float[] inParts = TrainWithWorkers(2, dropout: 0, seed: 11);
        Synthetic.AssertClose(whole, inParts, 2e-5f, "parameters after 9 steps, whole batches vs 2 parts");
        float[] inThreeParts = TrainWithWorkers(3, dropout: 0, seed: 11);
        Synthetic.AssertClose(whole, inThreeParts, 2e-5f, "parameters after 9 steps, whole batches vs 3 parts");
    }

    [TestMethod]
    public void DataParallelTrainingWithDropoutIsReproducible()
    {
        float[] first = TrainWithWorkers(2, dropout: 0.5, seed: 12);
        float[] second = TrainWithWorkers(2, dropout: 0.5, seed: 12);
        Synthetic.AssertBitIdentical(first, second, "two data-parallel trainings with the same seed");
        float[] otherSeed = TrainWithWorkers(2, dropout: 0.5, seed: 13);
        Assert.IsFalse(first.SequenceEqual(otherSeed), "another seed gives another model");
    }

    [TestMethod]
    public void SplitPartsKeepEveryRowOnceWithItsTargetAndWeight()
    {
        TorchRuntime.EnsureLoaded();
        var (x, y) = Parity(40, 12, 4);
        float[] weights = Enumerable.Range(0, x.Length).Select(i => (float)i).ToArray();
        var batcher = new SequenceBatcher(x, y, weights, 40, bucketByLength: false, seed: 0, CPU);
        using SequenceBatch batch = batcher.MakeBatch(Enumerable.Range(0, 40).ToArray());
        SequenceBatch[] parts = batcher.Split(batch, 2);
        try
        {
            Assert.HasCount(2, parts);
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 40).ToArray(), parts.SelectMany(p => p.Rows).ToArray());
            foreach (SequenceBatch part in parts)
            {
                Assert.AreEqual(part.Rows.Max(r => x[r].Length), (int)part.Tokens.shape[1], "each part is padded to its own longest row");
                CollectionAssert.AreEqual(part.Rows.Select(r => y[r]).ToArray(), part.Targets!.data<float>().ToArray());
                CollectionAssert.AreEqual(part.Rows.Select(r => weights[r]).ToArray(), part.Weights!.data<float>().ToArray());
            }
            Assert.IsEmpty(batcher.Split(batch, 1), "one part: the batch runs whole");
            Assert.HasCount(5, batcher.Split(batch, 64).Select(p => { p.Dispose(); return p; }).ToArray(), $"parts of at least {ISplittableBatchSource<SequenceBatch>.MinimumRowsPerPart} rows");
        }
        finally
        {
            foreach (SequenceBatch part in parts) part.Dispose();
        }
    }

    [TestMethod]
    [DataRow(SequencePooling.LastHidden, true)]
    [DataRow(SequencePooling.Mean, false)]
    [DataRow(SequencePooling.Max, true)]
    public void OutputOfARowDoesNotDependOnPaddingOrBatchmates(SequencePooling pooling, bool bidirectional)
    {
        TorchRuntime.EnsureLoaded();
        var options = new RecurrentEncoderOptions { VocabularySize = 10, EmbeddingSize = 4, HiddenSize = 6, NumberOfLayers = 2, Bidirectional = bidirectional, Pooling = pooling };
        using var encoder = new RecurrentEncoder(options, new Generator(3));
        encoder.eval();
        using var _ = NewDisposeScope();
        int[] row = { 4, 5, 6 };
        Tensor alone = encoder.call(tensor(new long[] { 4, 5, 6 }, new long[] { 1, 3 }), tensor(new long[] { 3 }));
        var batcher = new SequenceBatcher(new[] { new[] { 7, 8, 9, 2, 3, 5, 5 }, row, Array.Empty<int>() }, null, null, 3, false, 0, CPU);
        using SequenceBatch batch = batcher.MakeBatch(new[] { 0, 1, 2 });
        Tensor inBatch = encoder.call(batch.Tokens, batch.Lengths);
        Assert.IsTrue(alone[0].allclose(inBatch[1], rtol: 1e-5, atol: 1e-6), "padding and batch-mates must not change a row's output");
        Assert.AreEqual(0f, inBatch[2].abs().sum().item<float>(), "an empty sequence yields the initial (zero) state");
    }
}
