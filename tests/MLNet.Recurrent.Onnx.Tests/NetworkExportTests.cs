using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Onnx.Tests;

/// <summary>A row of token ids with a label of every task.</summary>
public sealed class IdsRow
{
    [VectorType]
    public int[] Tokens { get; set; } = Array.Empty<int>();

    public bool Positive { get; set; }

    public string Class { get; set; } = "";

    public float Value { get; set; }
}

/// <summary>
/// The recurrent network exported on its own (token ids in): every cell, stacked and bidirectional layers, every pooling,
/// every task, scored by ONNX Runtime in one batch against ML.NET's <c>Transform</c> on rows with empty sequences, ids 0
/// inside the row, ids outside the vocabulary and rows longer than <c>MaximumSequenceLength</c>.
/// </summary>
[TestClass]
public sealed class NetworkExportTests
{
    private const int Vocabulary = 30;

    public TestContext TestContext { get; set; } = null!;

    internal static List<IdsRow> Rows(int count, int seed, bool allowEmpty)
    {
        var rng = new Random(seed);
        string[] classes = { "x", "y", "z" };
        return Enumerable.Range(0, count).Select(i =>
        {
            int length = allowEmpty && i % 17 == 0 ? 0 : rng.Next(1, 41);
            // Mostly in-vocabulary ids, some 0 (dropped) and some beyond the vocabulary (<unk>).
            int[] ids = Enumerable.Range(0, length).Select(_ => rng.Next(20) == 0 ? 0 : rng.Next(20) == 0 ? Vocabulary + rng.Next(5) : rng.Next(2, Vocabulary)).ToArray();
            int twos = ids.Count(t => t < 10);
            return new IdsRow { Tokens = ids, Positive = twos % 2 == 0, Class = classes[twos % 3], Value = twos * 0.5f - 3 };
        }).ToList();
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, 1, false, SequencePooling.LastHidden, RecurrentTask.BinaryClassification)]
    [DataRow(RecurrentCell.Gru, 1, false, SequencePooling.LastHidden, RecurrentTask.BinaryClassification)]
    [DataRow(RecurrentCell.Rnn, 1, false, SequencePooling.LastHidden, RecurrentTask.BinaryClassification)]
    [DataRow(RecurrentCell.Lstm, 2, true, SequencePooling.LastHidden, RecurrentTask.MulticlassClassification)]
    [DataRow(RecurrentCell.Gru, 2, true, SequencePooling.Mean, RecurrentTask.Regression)]
    [DataRow(RecurrentCell.Rnn, 2, false, SequencePooling.Max, RecurrentTask.MulticlassClassification)]
    [DataRow(RecurrentCell.Lstm, 1, true, SequencePooling.Max, RecurrentTask.Regression)]
    [DataRow(RecurrentCell.Gru, 1, false, SequencePooling.Mean, RecurrentTask.BinaryClassification)]
    [DataRow(RecurrentCell.Lstm, 2, true, SequencePooling.LastHidden, RecurrentTask.BinaryClassification, true)]
    [DataRow(RecurrentCell.Gru, 2, false, SequencePooling.Max, RecurrentTask.MulticlassClassification, true)]
    [DataRow(RecurrentCell.Lstm, 1, true, SequencePooling.Max, RecurrentTask.MulticlassClassification, false, 2)]
    [DataRow(RecurrentCell.Gru, 1, false, SequencePooling.LastHidden, RecurrentTask.Regression, false, 2)]
    [DataRow(RecurrentCell.Rnn, 1, false, SequencePooling.Mean, RecurrentTask.BinaryClassification, false, 1)]
    [DataRow(RecurrentCell.Lstm, 1, true, SequencePooling.Max, RecurrentTask.MulticlassClassification, false, 2, 7)]
    [DataRow(RecurrentCell.Gru, 1, false, SequencePooling.LastHidden, RecurrentTask.BinaryClassification, false, 0, 5)]
    public void ExportedNetworkMatchesTransformInOneBatch(RecurrentCell cell, int layers, bool bidirectional, SequencePooling pooling, RecurrentTask task,
        bool learnInitialState = false, int ngrams = 0, int recurrentLength = 0)
    {
        var ml = new MLContext(1);
        var training = Rows(200, 1, allowEmpty: false);
        var scoring = Rows(300, 2, allowEmpty: true);
        var options = new RecurrentTrainerOptions
        {
            Cell = cell, NumberOfLayers = layers, Bidirectional = bidirectional, Pooling = pooling, FeatureColumnName = "Tokens",
            EmbeddingSize = 6, HiddenSize = 17, NumberOfEpochs = 2, BatchSize = 32, LearningRate = 0.01, Seed = 3,
            MaximumSequenceLength = 25, LearnInitialState = learnInitialState, NGramLength = ngrams, MaximumRecurrentLength = recurrentLength,
        };
        IEstimator<ITransformer> pipeline = task switch
        {
            RecurrentTask.BinaryClassification => ml.BinaryClassification.Trainers.Recurrent(Set(options, "Positive")),
            RecurrentTask.MulticlassClassification => ml.Transforms.Conversion.MapValueToKey("Class")
                .Append(ml.MulticlassClassification.Trainers.Recurrent(Set(options, "Class"))),
            _ => ml.Regression.Trainers.Recurrent(Set(options, "Value")),
        };
        var trainData = ml.Data.LoadFromEnumerable(training);
        ITransformer model = pipeline.Fit(trainData);
        var scoreData = ml.Data.LoadFromEnumerable(scoring);
        IDataView expected = model.Transform(scoreData);

        byte[] onnx = Ort.Export(ml, model, scoreData);
        using var ort = new Ort(onnx);
        CollectionAssert.AreEquivalent(new[] { "Tokens", "Positive", "Class", "Value" }, ort.Inputs.Keys.ToArray(), "graph inputs are the data's columns only");
        ort.Ragged("Tokens", scoring.Select(r => r.Tokens).ToList())
            .Tensor("Positive", scoring.Select(r => r.Positive).ToArray(), scoring.Count, 1)
            .Strings("Class", scoring.Select(r => r.Class).ToList())
            .Tensor("Value", scoring.Select(r => r.Value).ToArray(), scoring.Count, 1);
        string[] columns = task switch
        {
            RecurrentTask.BinaryClassification => new[] { "Score", "Probability", "PredictedLabel" },
            RecurrentTask.MulticlassClassification => new[] { "Score", "PredictedLabel" },
            _ => new[] { "Score" },
        };
        var outputs = ort.Run(columns.Select(c => c + ".output").ToArray());
        foreach (string column in columns)
        {
            float diff = Ort.MaxAbsDiff(Ort.Column(expected, column), Ort.Floats(outputs[column + ".output"].Values), column);
            TestContext.WriteLine($"{cell} x{layers} {(bidirectional ? "bi" : "uni")} {pooling} {task}: {column} max |diff| = {diff:G3}");
            Assert.IsLessThanOrEqualTo(column == "PredictedLabel" ? 0f : 1e-4f, diff, $"{column}: max |diff| {diff}");
        }
    }

    private static RecurrentTrainerOptions Set(RecurrentTrainerOptions options, string label)
    {
        options.LabelColumnName = label;
        return options;
    }
}
