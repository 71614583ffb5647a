using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

/// <summary>Batched scoring spreads chunks over worker threads on the CPU: the results must not depend on it.</summary>
[TestClass]
public sealed class SequenceScorerTests
{
    [TestMethod]
    [DataRow(RecurrentCell.Lstm, false)]
    [DataRow(RecurrentCell.Gru, true)]
    public void ScoresAreTheSameOnOneOrSeveralWorkersAndEqualRowsScoredAlone(RecurrentCell cell, bool bidirectional)
    {
        TorchRuntime.EnsureLoaded();
        var options = new RecurrentEncoderOptions { VocabularySize = 30, EmbeddingSize = 8, HiddenSize = 12, Cell = cell, Bidirectional = bidirectional };
        using var model = new RecurrentSequenceModel(options, outputs: 3, new Generator(4));
        model.eval();
        var scorer = new SequenceScorer(model, CPU, 3);
        var rng = new Random(5);
        int count = SequenceScorer.ChunkRows * 5 + 17; // several chunks, the last one partial
        int[][] rows = Enumerable.Range(0, count).Select(i => Enumerable.Range(0, i % 23 == 0 ? 0 : rng.Next(1, 40)).Select(_ => rng.Next(2, 30)).ToArray()).ToArray();

        int before = IntraOpThreads.Current;
        float[] oneWorker = new float[count * 3], threeWorkers = new float[count * 3];
        using (IntraOpThreads.Use(1))
            scorer.Score(rows, count, oneWorker);
        using (IntraOpThreads.Use(3))
        {
            scorer.Score(rows, count, threeWorkers);
            Assert.AreEqual(3, IntraOpThreads.Current, "scoring must leave the caller's thread count as it was");
        }
        Assert.AreEqual(before, IntraOpThreads.Current);
        CollectionAssert.AreEqual(oneWorker, threeWorkers, "the worker threads changed the scores");

        float[] alone = new float[3];
        for (int i = 0; i < count; i += 7)
        {
            scorer.ScoreOne(rows[i], alone);
            for (int k = 0; k < 3; k++)
                Assert.AreEqual(oneWorker[i * 3 + k], alone[k], 1e-5, $"row {i} (length {rows[i].Length}), output {k}");
        }
    }

    [TestMethod]
    public void AFailureOnAWorkerThreadReachesTheCaller()
    {
        TorchRuntime.EnsureLoaded();
        var options = new RecurrentEncoderOptions { VocabularySize = 10, EmbeddingSize = 4, HiddenSize = 5 };
        using var model = new RecurrentSequenceModel(options, outputs: 2, new Generator(1));
        model.eval();
        var scorer = new SequenceScorer(model, CPU, 2);
        int count = SequenceScorer.ChunkRows * 3;
        int[][] rows = Enumerable.Range(0, count).Select(i => new[] { i == count - 1 ? 99 : 2 }).ToArray(); // id 99 is outside the embedding
        using (IntraOpThreads.Use(2))
            Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => scorer.Score(rows, count, new float[count * 2]));
    }
}
