using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>Bad options and bad inputs fail early with messages that name the option or the column.</summary>
[TestClass]
public sealed class InputValidationTests
{
    [TestMethod]
    [DataRow(nameof(RecurrentTrainerOptions.HiddenSize), 0)]
    [DataRow(nameof(RecurrentTrainerOptions.EmbeddingSize), -1)]
    [DataRow(nameof(RecurrentTrainerOptions.NumberOfLayers), 0)]
    [DataRow(nameof(RecurrentTrainerOptions.Dropout), 1.0)]
    [DataRow(nameof(RecurrentTrainerOptions.BatchSize), 0)]
    [DataRow(nameof(RecurrentTrainerOptions.NumberOfEpochs), 0)]
    [DataRow(nameof(RecurrentTrainerOptions.LearningRate), 0.0)]
    [DataRow(nameof(RecurrentTrainerOptions.LearningRate), double.NaN)]
    [DataRow(nameof(RecurrentTrainerOptions.Momentum), 1.0)]
    [DataRow(nameof(RecurrentTrainerOptions.AdamBeta1), 1.0)]
    [DataRow(nameof(RecurrentTrainerOptions.AdamBeta2), -0.1)]
    [DataRow(nameof(RecurrentTrainerOptions.WeightDecay), -0.1)]
    [DataRow(nameof(RecurrentTrainerOptions.GradientClipNorm), -1.0)]
    [DataRow(nameof(RecurrentTrainerOptions.StepDecayFactor), 0.0)]
    [DataRow(nameof(RecurrentTrainerOptions.WarmupSteps), -1)]
    [DataRow(nameof(RecurrentTrainerOptions.MaximumSequenceLength), -1)]
    [DataRow(nameof(RecurrentTrainerOptions.Device), "gpu")]
    [DataRow(nameof(RecurrentTrainerOptions.NumberOfThreads), 0)]
    [DataRow(nameof(RecurrentTrainerOptions.ValidationFraction), 1.0)]
    [DataRow(nameof(RecurrentTrainerOptions.EarlyStoppingPatience), -1)]
    [DataRow(nameof(RecurrentTrainerOptions.FeatureColumnName), "")]
    [DataRow(nameof(RecurrentTrainerOptions.LabelColumnName), " ")]
    [DataRow(nameof(RecurrentTrainerOptions.Cell), 7)]
    [DataRow(nameof(RecurrentTrainerOptions.RecurrentInitialization), 7)]
    public void OutOfRangeOptionIsRejectedWhenTheTrainerIsCreated(string option, object value)
    {
        var options = new RecurrentTrainerOptions();
        var property = typeof(RecurrentTrainerOptions).GetProperty(option)!;
        Type target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        property.SetValue(options, target.IsEnum ? Enum.ToObject(target, value) : Convert.ChangeType(value, target));
        var ml = new MLContext();
        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Recurrent(options));
        Assert.AreEqual(option, e.ParamName);
        StringAssert.Contains(e.Message, option);
        StringAssert.Contains(e.Message, "must be");
    }

    [TestMethod]
    public void InconsistentValidationOptionsAreRejected()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Synthetic.Order(10, 1));
        var both = new RecurrentTrainerOptions { ValidationSet = data, ValidationFraction = 0.2 };
        Assert.AreEqual(nameof(RecurrentTrainerOptions.ValidationFraction), Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Recurrent(both)).ParamName);
        // With a fixed epoch count nothing is held out by itself, so early stopping has nothing to watch.
        var patienceAlone = new RecurrentTrainerOptions { EarlyStoppingPatience = 3, NumberOfEpochs = 5 };
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Recurrent(patienceAlone));
        Assert.AreEqual(nameof(RecurrentTrainerOptions.EarlyStoppingPatience), e.ParamName);
        StringAssert.Contains(e.Message, "ValidationSet");
    }

    [TestMethod]
    public void ShortOverloadsSetTheirOptionsAndKeepTheOtherDefaults()
    {
        var ml = new MLContext();
        var trainer = ml.MulticlassClassification.Trainers.Recurrent("Class", "Ids", RecurrentCell.Gru, hiddenSize: 20, numberOfEpochs: 2);
        Assert.AreEqual(RecurrentTask.MulticlassClassification, trainer.Task);
        Assert.AreEqual("Class", trainer.Options.LabelColumnName);
        Assert.AreEqual("Ids", trainer.Options.FeatureColumnName);
        Assert.AreEqual(RecurrentCell.Gru, trainer.Options.Cell);
        Assert.AreEqual(20, trainer.Options.HiddenSize);
        Assert.AreEqual(2, trainer.Options.NumberOfEpochs);
        Assert.AreEqual(new RecurrentTrainerOptions().EmbeddingSize, trainer.Options.EmbeddingSize);
        Assert.AreEqual(new RecurrentTrainerOptions().NumberOfEpochs, ml.BinaryClassification.Trainers.Recurrent().Options.NumberOfEpochs, "no epoch count: the options' default");
        Assert.AreEqual(RecurrentTask.BinaryClassification, ml.BinaryClassification.Trainers.Recurrent().Task);
        Assert.AreEqual(RecurrentTask.Regression, ml.Regression.Trainers.Recurrent().Task);
        Assert.AreEqual("Tokens", ml.Regression.Trainers.Recurrent().Options.FeatureColumnName);
    }

    [TestMethod]
    public void OptionsAreCopiedWhenTheTrainerIsCreated()
    {
        var options = new RecurrentTrainerOptions { HiddenSize = 7 };
        var trainer = new MLContext().BinaryClassification.Trainers.Recurrent(options);
        options.HiddenSize = 9;
        Assert.AreEqual(7, trainer.Options.HiddenSize);
    }

    /// <summary>SchemaShape.Create is internal to ML.NET; estimators' GetOutputSchema is exercised through it by pipelines.</summary>
    private static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!
            .Invoke(null, new object[] { schema })!;

    private static ArgumentOutOfRangeException FitFails<T>(IEstimator<ITransformer> estimator, IEnumerable<T> rows, string column) where T : class
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(rows);
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shape(data.Schema)));
        StringAssert.Contains(shape.Message, $"'{column}'");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(e.Message, $"'{column}'");
        return e;
    }

    public sealed class FloatLabelRow
    {
        [VectorType] public int[] Tokens { get; set; } = Array.Empty<int>();
        public float Label { get; set; }
    }

    public sealed class BoolLabelRow
    {
        [VectorType] public int[] Tokens { get; set; } = Array.Empty<int>();
        public bool Label { get; set; }
    }

    public sealed class FloatFeatureRow
    {
        [VectorType] public float[] Tokens { get; set; } = Array.Empty<float>();
        public bool Label { get; set; }
    }

    public sealed class TextFeatureRow
    {
        public string Tokens { get; set; } = "";
        public bool Label { get; set; }
    }

    [TestMethod]
    public void MissingLabelColumnIsNamed()
    {
        var ml = new MLContext();
        var e = FitFails(ml.BinaryClassification.Trainers.Recurrent(labelColumnName: "Sentiment"), Synthetic.Order(4, 1), "Sentiment");
        StringAssert.Contains(e.Message, "label column");
    }

    [TestMethod]
    public void WrongLabelTypeIsNamedWithTheExpectedType()
    {
        var ml = new MLContext();
        var rows = new[] { new FloatLabelRow { Tokens = new[] { 2 }, Label = 1 } };
        StringAssert.Contains(FitFails(ml.BinaryClassification.Trainers.Recurrent(), rows, "Label").Message, "Boolean");
        StringAssert.Contains(FitFails(ml.MulticlassClassification.Trainers.Recurrent(), rows, "Label").Message, "MapValueToKey");
        var boolRows = new[] { new BoolLabelRow { Tokens = new[] { 2 }, Label = true } };
        StringAssert.Contains(FitFails(ml.Regression.Trainers.Recurrent(), boolRows, "Label").Message, "Single");
    }

    [TestMethod]
    public void FeatureColumnThatIsNotATokenIdVectorIsNamed()
    {
        var ml = new MLContext();
        var floats = new[] { new FloatFeatureRow { Tokens = new[] { 2f }, Label = true } };
        var e = FitFails(ml.BinaryClassification.Trainers.Recurrent(), floats, "Tokens");
        StringAssert.Contains(e.Message, "Int32 token ids");
        var text = new[] { new TextFeatureRow { Tokens = "a b", Label = true } };
        StringAssert.Contains(FitFails(ml.BinaryClassification.Trainers.Recurrent(), text, "Tokens").Message, "feature column");
        FitFails(ml.BinaryClassification.Trainers.Recurrent(featureColumnName: "Ids"), Synthetic.Order(4, 1), "Ids");
    }

    [TestMethod]
    public void WeightColumnOfTheWrongTypeIsNamed()
    {
        var ml = new MLContext();
        var e = FitFails(ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { ExampleWeightColumnName = "Label" }), Synthetic.Order(4, 1), "Label");
        StringAssert.Contains(e.Message, "weight column");
    }

    [TestMethod]
    public void NaNRegressionLabelsAreSkippedAndLoggedAndAllNaNIsAnError()
    {
        var ml = new MLContext();
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var rows = Synthetic.CountAfter(60, 1);
        for (int i = 0; i < rows.Count; i += 4)
            rows[i].Label = float.NaN;
        var options = new RecurrentTrainerOptions { EmbeddingSize = 4, HiddenSize = 6, NumberOfEpochs = 1 };
        using (var model = ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows)))
        {
            Assert.IsTrue(Synthetic.Floats(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Score").All(float.IsFinite));
        }
        lock (messages)
            Assert.IsTrue(messages.Any(m => m.Contains("Skipped 15 training row(s) with a missing label in column 'Label'")), string.Join("\n", messages));

        var allNaN = rows.Select(r => new RegressionRow { Tokens = r.Tokens, Label = float.NaN }).ToList();
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(allNaN)));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "missing label");
    }

    [TestMethod]
    public void EmptyTrainingDataIsAClearError()
    {
        var ml = new MLContext();
        var e = Assert.Throws<InvalidOperationException>(() =>
            ml.BinaryClassification.Trainers.Recurrent().Fit(ml.Data.LoadFromEnumerable(new List<BinaryRow>())));
        StringAssert.Contains(e.Message, "empty");
        StringAssert.Contains(e.Message, "'Tokens'");
    }

    [TestMethod]
    public void ScoringDataWithoutTheFeatureColumnIsNamed()
    {
        var ml = new MLContext();
        using var model = ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { EmbeddingSize = 4, HiddenSize = 4, NumberOfEpochs = 1 })
            .Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(20, 1)));
        var other = ml.Data.LoadFromEnumerable(new[] { new TextFeatureRow { Tokens = "x" } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
        StringAssert.Contains(e.Message, "'Tokens'");
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetOutputSchema(other.Schema));
    }
}
