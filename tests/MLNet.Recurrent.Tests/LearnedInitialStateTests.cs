using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

/// <summary><see cref="RecurrentTrainerOptions.LearnInitialState"/>: a trained start, saved and loaded, used for empty rows.</summary>
[TestClass]
public sealed class LearnedInitialStateTests
{
    [TestMethod]
    [DataRow(RecurrentCell.Lstm, true)]
    [DataRow(RecurrentCell.Gru, false)]
    [DataRow(RecurrentCell.Rnn, true)]
    public void TheInitialStateIsLearnedSavedAndStartsEveryRow(RecurrentCell cell, bool bidirectional)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(200, 7));
        var options = Synthetic.SmallOptions(epochs: 4);
        options.Cell = cell;
        options.Bidirectional = bidirectional;
        options.NumberOfLayers = 2;
        options.LearnInitialState = true;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);

        using (var scope = torch.NewDisposeScope())
        {
            var states = model.Model.Encoder.named_parameters().Where(p => p.name.StartsWith("initial_", StringComparison.Ordinal)).ToDictionary(p => p.name, p => p.parameter);
            Assert.HasCount(cell == RecurrentCell.Lstm ? 2 : 1, states, "hidden (and an LSTM's cell) state");
            Tensor hidden = states["initial_hidden"];
            CollectionAssert.AreEqual(new long[] { 2 * (bidirectional ? 2 : 1), options.HiddenSize }, hidden.shape, "one state per layer and direction");
            Assert.IsGreaterThan(0.0, hidden.abs().sum().item<float>(), "training moved the start away from zeros");

            // An empty row is the learned state of the last layer, read by the head.
            int directions = bidirectional ? 2 : 1;
            Tensor last = hidden.narrow(0, 2 * directions - directions, directions).reshape(1, -1);
            float expected = model.Model.Head.call(last).item<float>();
            float empty = Synthetic.Floats(model.Transform(ml.Data.LoadFromEnumerable(new[] { new BinaryRow { Tokens = [] } })), "Score")[0];
            Assert.AreEqual(expected, empty, 1e-5f);
        }

        var test = Synthetic.Order(30, 8);
        PersistenceTests.AssertRoundTrip<BinaryRow, BinaryPrediction>(ml, model, train, ml.Data.LoadFromEnumerable(test), test.Take(10),
            p => new[] { p.Score, p.Probability }, "Score", "Probability");
    }

    [TestMethod]
    public void WithoutTheOptionTheModelHasNoStateParameters()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.BinaryClassification.Trainers.Recurrent(Synthetic.SmallOptions(epochs: 1)).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(40, 7)));
        Assert.IsFalse(model.Model.Encoder.named_parameters().Any(p => p.name.StartsWith("initial_", StringComparison.Ordinal)));
    }
}
