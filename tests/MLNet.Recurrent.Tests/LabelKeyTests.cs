using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>Multiclass labels whose key values are not text, or that have none: slot names, MapKeyToValue and save/load still work.</summary>
[TestClass]
public sealed class LabelKeyTests
{
    public sealed class IntClassRow
    {
        [VectorType] public int[] Tokens { get; set; } = Array.Empty<int>();
        public int Label { get; set; }
    }

    public sealed class IntClassPrediction
    {
        public int PredictedLabel { get; set; }
    }

    public sealed class KeyClassRow
    {
        [VectorType] public int[] Tokens { get; set; } = Array.Empty<int>();
        [KeyType(3)] public uint Label { get; set; }
    }

    private static RecurrentTrainerOptions Quick() => new() { EmbeddingSize = 8, HiddenSize = 24, NumberOfEpochs = 6, LearningRate = 0.02, Seed = 4 };

    [TestMethod]
    public void NumericClassValuesBecomeSlotNamesAndSurviveSaveAndLoad()
    {
        var ml = new MLContext(1);
        var rows = Synthetic.FirstOf(400, 8).Select(r => new IntClassRow { Tokens = r.Tokens, Label = 10 * (Array.IndexOf(Synthetic.ClassNames, r.Label) + 1) }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.Recurrent(Quick()));
        var fitted = pipeline.Fit(data);
        using var model = fitted.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(fitted.Transform(data)));

        var scored = model.Transform(data);
        VBuffer<ReadOnlyMemory<char>> names = default;
        scored.Schema["Score"].GetSlotNames(ref names);
        CollectionAssert.AreEqual(new[] { "10", "20", "30" }, names.DenseValues().Select(n => n.ToString()).ToArray());
        Assert.AreEqual(NumberDataViewType.Int32, scored.Schema["PredictedLabel"].Type, "MapKeyToValue restores the Int32 class");

        var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(stream, out _);
        using var engine = Synthetic.Engine<IntClassRow, IntClassPrediction>(fresh, loaded);
        Assert.AreEqual(30, engine.Predict(new IntClassRow { Tokens = new[] { 6, 4, 3, 7, 2 } }).PredictedLabel);
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void KeyLabelWithoutKeyValuesEvaluatesWithClassIndices()
    {
        var ml = new MLContext(1);
        var rows = Synthetic.FirstOf(400, 9).Select(r => new KeyClassRow { Tokens = r.Tokens, Label = (uint)Array.IndexOf(Synthetic.ClassNames, r.Label) + 1 }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        using var model = ml.MulticlassClassification.Trainers.Recurrent(Quick()).Fit(data);
        Assert.AreEqual(3, model.NumberOfOutputs);
        var scored = model.Transform(data);
        Assert.IsNull(scored.Schema["Score"].Annotations.Schema.GetColumnOrNull("SlotNames"));
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 3), scored.Schema["PredictedLabel"].Type);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.IsGreaterThan(0.8, metrics.MicroAccuracy);
        PersistenceTests.AssertRoundTrip<KeyClassRow, ClassIndexPrediction>(ml, model, data, data, rows.Take(5), p => new[] { (float)p.PredictedLabel }, "Score");
    }

    public sealed class ClassIndexPrediction
    {
        [KeyType(3)] public uint PredictedLabel { get; set; }
    }
}
