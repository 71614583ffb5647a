using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

/// <summary><see cref="RecurrentTrainerOptions.NGramLength"/>: the bag of words and hashed word pairs beside the recurrent network.</summary>
[TestClass]
public sealed class NGramBagTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void TheBagLearnsTheRowsItsNGramsUseAndRoundTrips(int length)
    {
        var ml = new MLContext(seed: 1);
        var rows = Synthetic.Order(200, 7);
        var train = ml.Data.LoadFromEnumerable(rows);
        var options = Synthetic.SmallOptions(epochs: 3);
        options.NGramLength = length;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);

        using (var scope = torch.NewDisposeScope())
        {
            Tensor table = model.Model.named_parameters().Single(p => p.name == "ngrams.weights.weight").parameter.detach();
            int vocabulary = 8;
            Assert.AreEqual(1L, table.shape[1], "one output for a binary task");
            if (length == 1)
                Assert.AreEqual((long)vocabulary, table.shape[0], "unigrams only: one row per token id");
            else
                Assert.IsGreaterThan((long)vocabulary, table.shape[0], "hashed pairs after the vocabulary");
            float[] weights = table.data<float>().ToArray();
            Assert.AreEqual(0f, weights[0], "the padding id has no weight");
            for (int id = 2; id < vocabulary; id++)
                Assert.AreNotEqual(0f, weights[id], $"token {id} occurs in training, so its weight moved");
            int movedPairs = weights.Skip(vocabulary).Count(w => w != 0);
            if (length == 2)
                Assert.IsTrue(movedPairs is > 0 and <= 8 * 8, $"{movedPairs} pair rows moved; at most the 64 possible pairs of ids 0..7 exist");
        }

        var test = Synthetic.Order(30, 8);
        PersistenceTests.AssertRoundTrip<BinaryRow, BinaryPrediction>(ml, model, train, ml.Data.LoadFromEnumerable(test), test.Take(10),
            p => new[] { p.Score, p.Probability }, "Score", "Probability");
    }

    [TestMethod]
    public void TheBagAloneSeparatesAKeywordTaskFromTheFirstEpochs()
    {
        // The label is whether token 5 occurs anywhere: a linear bag of words decides it exactly.
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 300).Select(_ =>
        {
            int[] tokens = Enumerable.Range(0, rng.Next(3, 12)).Select(_ => rng.Next(2, 9)).ToArray();
            return new BinaryRow { Tokens = tokens, Label = tokens.Contains(5) };
        }).ToList();
        var ml = new MLContext(seed: 1);
        var options = Synthetic.SmallOptions(epochs: 4);
        options.NGramLength = 1;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows));
        var metrics = ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(ml.Data.LoadFromEnumerable(rows)));
        Assert.IsGreaterThan(0.95, metrics.Accuracy);
    }

    [TestMethod]
    public void TheRecurrentLayersReadTheFirstMaximumRecurrentLengthTokensAndTheBagTheWholeRow()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(120, 5));
        var options = Synthetic.SmallOptions(epochs: 2);
        options.MaximumRecurrentLength = 3;
        // Rows that agree on their first 3 tokens and differ after them.
        var probes = new[]
        {
            new BinaryRow { Tokens = [2, 3, 4] },
            new BinaryRow { Tokens = [2, 3, 4, 5, 5, 5, 5] },
            new BinaryRow { Tokens = [2, 3, 4, 6, 7, 6] },
        };
        IDataView probeData = ml.Data.LoadFromEnumerable(probes);

        options.NGramLength = 0;
        using (var recurrentOnly = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train))
        {
            float[] scores = Synthetic.Floats(recurrentOnly.Transform(probeData), "Score");
            Assert.AreEqual(scores[0], scores[1], 1e-6f, "tokens after the third do not reach the recurrent layers");
            Assert.AreEqual(scores[0], scores[2], 1e-6f, "tokens after the third do not reach the recurrent layers");
        }

        options.NGramLength = 1;
        using var withBag = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);
        float[] bagScores = Synthetic.Floats(withBag.Transform(probeData), "Score");
        Assert.AreNotEqual(bagScores[1], bagScores[2], "the bag reads the whole row");
        var test = Synthetic.Order(30, 8);
        PersistenceTests.AssertRoundTrip<BinaryRow, BinaryPrediction>(ml, withBag, train, ml.Data.LoadFromEnumerable(test), test.Take(10),
            p => new[] { p.Score, p.Probability }, "Score", "Probability");
    }

    [TestMethod]
    public void ANegativeMaximumRecurrentLengthIsRejectedNamingTheOption()
    {
        var ml = new MLContext(seed: 1);
        var options = Synthetic.SmallOptions(epochs: 1);
        options.MaximumRecurrentLength = -1;
        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Recurrent(options));
        StringAssert.Contains(e.Message, nameof(RecurrentTrainerOptions.MaximumRecurrentLength));
    }
}
