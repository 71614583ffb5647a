using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// The three tasks end to end on order-dependent synthetic data: they learn it, ML.NET's evaluators read their
/// output, padding and batch composition don't change predictions, and PredictionEngine agrees with Transform.
/// Models are trained once per class.
/// </summary>
[TestClass]
public sealed class TaskTests
{
    private static MLContext ml = null!;
    private static ITransformer binary = null!, multiclass = null!, regression = null!;
    private static IDataView binaryTest = null!, multiclassTest = null!, regressionTest = null!;

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        ml = new MLContext(seed: 1);
        binary = ml.BinaryClassification.Trainers.Recurrent(Synthetic.SmallOptions())
            .Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(800, 1)));
        multiclass = Synthetic.MulticlassPipeline(ml, Synthetic.SmallOptions())
            .Fit(ml.Data.LoadFromEnumerable(Synthetic.FirstOf(800, 1)));
        regression = ml.Regression.Trainers.Recurrent(Synthetic.SmallOptions(15))
            .Fit(ml.Data.LoadFromEnumerable(Synthetic.CountAfter(800, 1)));
        binaryTest = ml.Data.LoadFromEnumerable(Synthetic.Order(300, 2));
        multiclassTest = ml.Data.LoadFromEnumerable(Synthetic.FirstOf(300, 2));
        regressionTest = ml.Data.LoadFromEnumerable(Synthetic.CountAfter(300, 2));
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        (binary as IDisposable)?.Dispose();
        (multiclass as IDisposable)?.Dispose();
        (regression as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void BinaryLearnsWordOrderAndEvaluates()
    {
        var metrics = ml.BinaryClassification.Evaluate(binary.Transform(binaryTest));
        Assert.IsGreaterThan(0.95, metrics.Accuracy, $"accuracy {metrics.Accuracy}");
        Assert.IsGreaterThan(0.98, metrics.AreaUnderRocCurve, $"AUC {metrics.AreaUnderRocCurve}");
        Assert.IsLessThan(0.3, metrics.LogLoss, $"log-loss {metrics.LogLoss}");
    }

    [TestMethod]
    public void MulticlassLearnsWordOrderAndEvaluatesWithConfusionMatrixAndClassNames()
    {
        IDataView scored = multiclass.Transform(multiclassTest);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.IsGreaterThan(0.9, metrics.MicroAccuracy, $"micro-accuracy {metrics.MicroAccuracy}");
        Assert.HasCount(3, metrics.ConfusionMatrix.PerClassPrecision);
        string table = metrics.ConfusionMatrix.GetFormattedConfusionTable();
        foreach (string name in Synthetic.ClassNames)
            StringAssert.Contains(table, name);

        // PredictedLabel is the label's key type: MapKeyToValue restores the class names.
        var restored = ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored).Transform(scored);
        var predictions = ml.Data.CreateEnumerable<ClassPrediction>(restored, reuseRowObject: false).ToList();
        var truth = Synthetic.FirstOf(300, 2);
        double accuracy = predictions.Zip(truth).Count(p => p.First.PredictedLabel == p.Second.Label) / (double)truth.Count;
        Assert.IsGreaterThan(0.9, accuracy);
        foreach (var p in predictions)
        {
            Assert.HasCount(3, p.Score);
            Assert.AreEqual(1f, p.Score.Sum(), 1e-5f);
        }
    }

    [TestMethod]
    public void RegressionLearnsCountAfterMarkerAndEvaluates()
    {
        var metrics = ml.Regression.Evaluate(regression.Transform(regressionTest));
        Assert.IsGreaterThan(0.9, metrics.RSquared, $"R² {metrics.RSquared}, RMSE {metrics.RootMeanSquaredError}");
    }

    [TestMethod]
    public void OutputColumnsCarryMLNetScoreAnnotations()
    {
        var b = binary.GetOutputSchema(binaryTest.Schema);
        AssertScoreAnnotations(b["Score"], "BinaryClassification", "Score");
        AssertScoreAnnotations(b["Probability"], "BinaryClassification", "Probability");
        AssertScoreAnnotations(b["PredictedLabel"], "BinaryClassification", "PredictedLabel");
        Assert.AreEqual(BooleanDataViewType.Instance, b["PredictedLabel"].Type);
        bool normalized = false;
        b["Probability"].Annotations.GetValue("IsNormalized", ref normalized);
        Assert.IsTrue(normalized);

        var m = multiclass.GetOutputSchema(multiclassTest.Schema);
        AssertScoreAnnotations(m["Score"], "MulticlassClassification", "Score");
        AssertScoreAnnotations(m["PredictedLabel"], "MulticlassClassification", "PredictedLabel");
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        m["Score"].GetSlotNames(ref slotNames);
        CollectionAssert.AreEqual(Synthetic.ClassNames, slotNames.DenseValues().Select(s => s.ToString()).ToArray());
        Assert.AreEqual(m["Label"].Type, m["PredictedLabel"].Type, "PredictedLabel has the label's key type");
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        m["PredictedLabel"].GetKeyValues(ref keyValues);
        CollectionAssert.AreEqual(Synthetic.ClassNames, keyValues.DenseValues().Select(s => s.ToString()).ToArray());

        var r = regression.GetOutputSchema(regressionTest.Schema);
        AssertScoreAnnotations(r["Score"], "Regression", "Score");
    }

    private static void AssertScoreAnnotations(DataViewSchema.Column column, string kind, string valueKind)
    {
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue("ScoreColumnKind", ref value);
        Assert.AreEqual(kind, value.ToString(), column.Name);
        column.Annotations.GetValue("ScoreValueKind", ref value);
        Assert.AreEqual(valueKind, value.ToString(), column.Name);
        uint setId = 0;
        column.Annotations.GetValue("ScoreColumnSetId", ref setId);
        Assert.AreEqual(1u, setId, column.Name);
    }

    [TestMethod]
    public void PaddingAnywhereInAFixedSizeColumnDoesNotChangePredictions()
    {
        var rows = Synthetic.Order(100, 3, maxLength: 8);
        var padded = rows.Select((r, i) =>
        {
            // PadSequences-style trailing zeros, plus zeros in front and in the middle: 0 is padding wherever it appears.
            var ids = new List<int>(r.Tokens);
            ids.Insert(0, 0);
            ids.Insert(ids.Count / 2, 0);
            ids.AddRange(Enumerable.Repeat(0, FixedBinaryRow.FixedLength - ids.Count));
            return new FixedBinaryRow { Tokens = ids.ToArray(), Label = r.Label };
        }).ToList();
        float[] expected = Synthetic.Floats(binary.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");
        float[] actual = Synthetic.Floats(binary.Transform(ml.Data.LoadFromEnumerable(padded)), "Score");
        Synthetic.AssertBitIdentical(expected, actual, "padded vs unpadded scores");
    }

    [TestMethod]
    public void BatchCompositionDoesNotChangePredictions()
    {
        var rows = Synthetic.Order(300, 4);
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => (i * 7919) % 300).ToArray();
        float[] straight = Synthetic.Floats(binary.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");
        float[] shuffled = Synthetic.Floats(binary.Transform(ml.Data.LoadFromEnumerable(order.Select(i => rows[i]))), "Score");
        float[] unshuffled = new float[rows.Count];
        for (int k = 0; k < order.Length; k++)
            unshuffled[order[k]] = shuffled[k];
        Synthetic.AssertClose(straight, unshuffled, 1e-5f, "scores of shuffled rows");

        // One row at a time (PredictionEngine) agrees with the batched Transform.
        using var engine = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, binary);
        float[] single = rows.Select(r => engine.Predict(r).Score).ToArray();
        Synthetic.AssertClose(straight, single, 1e-5f, "PredictionEngine vs Transform");
    }

    [TestMethod]
    public void PredictionEnginesWorkForEveryTask()
    {
        using var b = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, binary);
        var p = b.Predict(new BinaryRow { Tokens = new[] { 5, 2, 6, 3 } });
        Assert.IsTrue(p.PredictedLabel);
        Assert.AreEqual(1 / (1 + Math.Exp(-p.Score)), p.Probability, 1e-6);
        Assert.IsFalse(b.Predict(new BinaryRow { Tokens = new[] { 3, 4, 2 } }).PredictedLabel);

        var toText = multiclass.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(multiclass.Transform(multiclassTest)));
        using var m = Synthetic.Engine<ClassRow, ClassPrediction>(ml, toText);
        Assert.AreEqual("gamma", m.Predict(new ClassRow { Tokens = new[] { 6, 4, 3, 7, 2 } }).PredictedLabel);
        Assert.AreEqual("beta", m.Predict(new ClassRow { Tokens = new[] { 3, 2, 4 } }).PredictedLabel);

        using var r = Synthetic.Engine<RegressionRow, RegressionPrediction>(ml, regression);
        Assert.AreEqual(3f, r.Predict(new RegressionRow { Tokens = new[] { 3, 2, 3, 4, 3, 3 } }).Score, 0.5f);
        Assert.AreEqual(0f, r.Predict(new RegressionRow { Tokens = new[] { 3, 3, 3, 2 } }).Score, 0.5f);
    }
}
