using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

/// <summary>Bidirectional, stacked and every pooling: each learns the order task and round-trips bit-identically.</summary>
[TestClass]
public sealed class ArchitectureTests
{
    [TestMethod]
    [DataRow(RecurrentCell.Lstm, true, 2, SequencePooling.LastHidden, 0.0)]
    [DataRow(RecurrentCell.Gru, true, 1, SequencePooling.Mean, 0.0)]
    [DataRow(RecurrentCell.Lstm, true, 1, SequencePooling.Max, 0.0)]
    [DataRow(RecurrentCell.Gru, false, 2, SequencePooling.LastHidden, 0.1)]
    [DataRow(RecurrentCell.Lstm, false, 1, SequencePooling.Mean, 0.0)]
    [DataRow(RecurrentCell.Rnn, false, 2, SequencePooling.Max, 0.0)]
    public void ArchitectureLearnsOrderAndRoundTrips(RecurrentCell cell, bool bidirectional, int layers, SequencePooling pooling, double dropout)
    {
        var ml = new MLContext(1);
        var options = Synthetic.SmallOptions(epochs: 10);
        options.Cell = cell;
        options.Bidirectional = bidirectional;
        options.NumberOfLayers = layers;
        options.Pooling = pooling;
        options.Dropout = dropout;
        options.HiddenSize = 16;
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(600, 11));
        var testRows = Synthetic.Order(200, 12);
        var test = ml.Data.LoadFromEnumerable(testRows);
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);

        Assert.AreEqual(bidirectional, model.EncoderOptions.Bidirectional);
        Assert.AreEqual(layers, model.EncoderOptions.NumberOfLayers);
        Assert.AreEqual(pooling, model.EncoderOptions.Pooling);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThan(0.9, metrics.Accuracy, $"{cell} bi={bidirectional} layers={layers} {pooling}: accuracy {metrics.Accuracy}");

        PersistenceTests.AssertRoundTrip<BinaryRow, BinaryPrediction>(ml, model, train, test, testRows.Take(10),
            p => new[] { p.Score, p.Probability }, "Score", "Probability");
    }
}
