using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>Save → load in a fresh MLContext → bit-identical predictions, for every task and cell; damaged weights fail clearly.</summary>
[TestClass]
public sealed class PersistenceTests
{
    private static RecurrentTrainerOptions Tiny(RecurrentCell cell) => new()
    {
        Cell = cell,
        EmbeddingSize = 6,
        HiddenSize = 10,
        NumberOfEpochs = 2,
        LearningRate = 0.01,
        Seed = 3,
    };

    [TestMethod]
    [DataRow(RecurrentCell.Rnn)]
    [DataRow(RecurrentCell.Lstm)]
    [DataRow(RecurrentCell.Gru)]
    public void BinaryRoundTripIsBitIdentical(RecurrentCell cell)
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(200, 5));
        var test = ml.Data.LoadFromEnumerable(Synthetic.Order(120, 6));
        using var model = ml.BinaryClassification.Trainers.Recurrent(Tiny(cell)).Fit(train);
        AssertRoundTrip<BinaryRow, BinaryPrediction>(ml, model, train, test, Synthetic.Order(20, 7), p => new[] { p.Score, p.Probability, p.PredictedLabel ? 1f : 0f },
            "Score", "Probability");
    }

    [TestMethod]
    [DataRow(RecurrentCell.Rnn)]
    [DataRow(RecurrentCell.Lstm)]
    [DataRow(RecurrentCell.Gru)]
    public void MulticlassRoundTripIsBitIdenticalAndKeepsClassNames(RecurrentCell cell)
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.FirstOf(200, 5));
        var test = ml.Data.LoadFromEnumerable(Synthetic.FirstOf(120, 6));
        var pipeline = Synthetic.MulticlassPipeline(ml, Tiny(cell));
        var fitted = pipeline.Fit(train);
        var model = fitted.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(fitted.Transform(train)));
        try
        {
            AssertRoundTrip<ClassRow, ClassPrediction>(ml, model, train, test, Synthetic.FirstOf(20, 7),
                p => p.Score.Append(Array.IndexOf(Synthetic.ClassNames, p.PredictedLabel)).ToArray(), "Score");
        }
        finally
        {
            model.Dispose();
        }
    }

    [TestMethod]
    [DataRow(RecurrentCell.Rnn)]
    [DataRow(RecurrentCell.Lstm)]
    [DataRow(RecurrentCell.Gru)]
    public void RegressionRoundTripIsBitIdentical(RecurrentCell cell)
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.CountAfter(200, 5));
        var test = ml.Data.LoadFromEnumerable(Synthetic.CountAfter(120, 6));
        using var model = ml.Regression.Trainers.Recurrent(Tiny(cell)).Fit(train);
        AssertRoundTrip<RegressionRow, RegressionPrediction>(ml, model, train, test, Synthetic.CountAfter(20, 7), p => new[] { p.Score }, "Score");
    }

    /// <summary>Saves, loads in a new MLContext, and compares Transform outputs and PredictionEngine outputs bit for bit.</summary>
    internal static void AssertRoundTrip<TRow, TPrediction>(MLContext ml, ITransformer model, IDataView train, IDataView test, IEnumerable<TRow> rows,
        Func<TPrediction, float[]> values, params string[] columns)
        where TRow : class, new()
        where TPrediction : class, new()
    {
        var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext(seed: 99);
        ITransformer loaded = fresh.Model.Load(stream, out DataViewSchema schema);
        try
        {
            CollectionAssert.AreEqual(train.Schema.Select(c => c.Name).ToArray(), schema.Select(c => c.Name).ToArray(), "saved input schema");
            var before = model.Transform(test);
            var after = loaded.Transform(fresh.Data.LoadFromEnumerable(ml.Data.CreateEnumerable<TRow>(test, reuseRowObject: false).ToList()));
            foreach (string column in columns)
                Synthetic.AssertBitIdentical(Synthetic.Floats(before, column), Synthetic.Floats(after, column), $"Transform '{column}' after load");

            using var engineBefore = Synthetic.Engine<TRow, TPrediction>(ml, model);
            using var engineAfter = Synthetic.Engine<TRow, TPrediction>(fresh, loaded);
            foreach (TRow row in rows)
                Synthetic.AssertBitIdentical(values(engineBefore.Predict(row)), values(engineAfter.Predict(row)), "PredictionEngine after load");
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    [TestMethod]
    public void CorruptedOrTruncatedWeightsFailWithInvalidDataExceptionNamingTheComponent()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(64, 5));
        using var model = ml.BinaryClassification.Trainers.Recurrent(Tiny(RecurrentCell.Gru)).Fit(train);
        var saved = new MemoryStream();
        ml.Model.Save(model, train.Schema, saved);
        byte[] zip = saved.ToArray();

        byte[] Damaged(Func<byte[], byte[]> damage)
        {
            var copy = new MemoryStream();
            copy.Write(zip);
            using (var archive = new ZipArchive(copy, ZipArchiveMode.Update, leaveOpen: true))
            {
                var entry = archive.Entries.Single(e => e.FullName.EndsWith("Weights.bin", StringComparison.Ordinal));
                byte[] bytes;
                using (var s = entry.Open())
                {
                    var m = new MemoryStream();
                    s.CopyTo(m);
                    bytes = m.ToArray();
                }
                string name = entry.FullName;
                entry.Delete();
                using var w = archive.CreateEntry(name).Open();
                w.Write(damage(bytes));
            }
            return copy.ToArray();
        }

        byte[] flipped = Damaged(b => { var c = (byte[])b.Clone(); c[c.Length - 40] ^= 0x5A; return c; });
        byte[] truncated = Damaged(b => b[..(b.Length / 2)]);
        byte[] garbage = Damaged(b => new byte[] { 1, 2, 3 });
        foreach (var (what, bytes) in new[] { ("flipped", flipped), ("truncated", truncated), ("garbage", garbage) })
        {
            // ML.NET's component catalog invokes loaders by reflection and wraps what they throw (TargetInvocationException).
            var thrown = Assert.Throws<Exception>(() => new MLContext().Model.Load(new MemoryStream(bytes), out _), what);
            var e = Chain(thrown).OfType<InvalidDataException>().FirstOrDefault();
            Assert.IsNotNull(e, $"{what}: expected an InvalidDataException in {thrown}");
            StringAssert.Contains(e.Message, "Recurrent prediction transformer", what);
        }
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            yield return e;
    }
}
