using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

/// <summary><see cref="RecurrentTrainerOptions.ClassWeighting"/>: the weights, and that they reach the training loss.</summary>
[TestClass]
public sealed class ClassWeightingTests
{
    [TestMethod]
    public void BalancedWeightsAreInverseClassFrequencyWithAMeanRowWeightOfOne()
    {
        var data = Data([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
        double[] balanced = data.ClassWeights(ClassWeighting.Balanced, 4)!;
        CollectionAssert.AreEqual(new[] { 10.0 / 18, 10.0 / 9, 10.0 / 3, 0 }, balanced, new Tolerance(1e-12), "n / (k · n_c), k = 3 classes present");
        Assert.AreEqual(1.0, MeanRowWeight(data, balanced), 1e-12);

        double[] root = data.ClassWeights(ClassWeighting.SquareRootBalanced, 4)!;
        Assert.AreEqual(1.0, MeanRowWeight(data, root), 1e-12);
        Assert.AreEqual(Math.Sqrt(6.0), root[2] / root[0], 1e-9, "square root of the balanced ratio (6)");
        Assert.IsNull(data.ClassWeights(ClassWeighting.None, 4));

        float[] weights = data.WithClassWeights(balanced).Weights!;
        Assert.AreEqual((float)(10.0 / 3), weights[9], 1e-6f, "each row gets its class's weight");
    }

    [TestMethod]
    public void BalancedWeightsMoveAnUninformedClassifierToEvenOdds()
    {
        // Tokens carry no information; 1 row in 10 is positive. The unweighted loss is lowest at P(positive) = 0.1, the
        // balanced one at 0.5.
        var ml = new MLContext(seed: 1);
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 400).Select(i => new BinaryRow
        {
            Tokens = Enumerable.Range(0, rng.Next(2, 6)).Select(_ => rng.Next(2, 6)).ToArray(),
            Label = i % 10 == 0,
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        float MeanProbability(ClassWeighting weighting)
        {
            var options = Synthetic.SmallOptions(epochs: 8);
            options.ClassWeighting = weighting;
            using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(data);
            return Synthetic.Floats(model.Transform(data), "Probability").Average();
        }
        float none = MeanProbability(ClassWeighting.None), balanced = MeanProbability(ClassWeighting.Balanced);
        Assert.IsLessThan(0.2f, none, $"unweighted: the base rate ({none})");
        Assert.IsGreaterThan(0.35f, balanced, $"balanced: about even ({balanced})");
    }

    [TestMethod]
    public void RegressionIgnoresClassWeighting()
    {
        // The default (SquareRootBalanced) must not stop a regression trainer; regression has no classes to weigh.
        var ml = new MLContext(seed: 1);
        var rows = Synthetic.CountAfter(60, 3);
        var options = Synthetic.SmallOptions(epochs: 1);
        options.ClassWeighting = ClassWeighting.Balanced;
        using var weighted = ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows));
        options.ClassWeighting = ClassWeighting.None;
        using var plain = ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows));
        CollectionAssert.AreEqual(Synthetic.Floats(plain.Transform(ml.Data.LoadFromEnumerable(rows)), "Score"),
            Synthetic.Floats(weighted.Transform(ml.Data.LoadFromEnumerable(rows)), "Score"));
    }

    private static SequenceData Data(float[] targets)
    {
        var ml = new MLContext();
        var rows = targets.Select(t => new RegressionRow { Tokens = [2, 3], Label = t }).ToList();
        IDataView view = ml.Data.LoadFromEnumerable(rows);
        TokenIdColumn tokens = TokenIdColumn.Find(view.Schema, "Tokens");
        PredictionTask task = PredictionTasks.Get(RecurrentTask.Regression).FromLabel(view.Schema, "Label", "data");
        return SequenceData.Read(view, tokens, task, view.Schema["Label"], null, 0, 0, () => { });
    }

    private static double MeanRowWeight(SequenceData data, double[] classWeights) => data.Targets.Average(t => classWeights[(int)t]);

    private sealed class Tolerance(double epsilon) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((double)x! - (double)y!) <= epsilon ? 0 : 1;
    }
}
