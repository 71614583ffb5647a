using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class DynamicEvaluationTests
{
    private static readonly TestCharCodec Codec = new("abcdefg");
    private static MLContext ml = null!;
    private static LanguageModelTransformer model = null!;

    /// <summary>One model for the tests that only read it (dynamic evaluation never changes it; the first test checks that).</summary>
    [ClassInitialize]
    public static void TrainOnce(TestContext _) => (ml, model) = TrainOnePattern();

    [ClassCleanup]
    public static void DisposeModel() => model?.Dispose();

    private static (MLContext Ml, LanguageModelTransformer Model) TrainOnePattern()
    {
        var context = new MLContext(seed: 1);
        IDataView train = LanguageModelTestData.Load(context, Codec, LanguageModelTestData.Repeating("abcdefg", 24, 40, seed: 2));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 3;
        return (context, context.Transforms.Text.TrainLanguageModel(options).Fit(train));
    }

    [TestMethod]
    public void DynamicEvaluationAdaptsToATextUnlikeTheTrainingTextAndLeavesTheModelUnchanged()
    {
        // The held-out text repeats another order of the same letters: only a model that learns while it reads gets better at it.
        IDataView heldOut = LanguageModelTestData.Load(ml, Codec, LanguageModelTestData.Repeating("gcaebfd", 30, 40, seed: 3));
        LanguageModelMetrics before = model.Evaluate(heldOut, "Text", batchSize: 1, corpus: LanguageModelCorpus.Continuous);

        LanguageModelMetrics adapted = model.EvaluateDynamic(heldOut, "Text", new DynamicEvaluationOptions { LearningRate = 0.01, SequenceLength = 8 });

        Assert.AreEqual(before.TokenCount, adapted.TokenCount, "every token but the first is predicted once");
        Assert.AreEqual(before.CharacterCount, adapted.CharacterCount);
        Assert.IsTrue(adapted.BitsPerToken < before.BitsPerToken - 0.5, $"dynamic {adapted.BitsPerToken:F3} against static {before.BitsPerToken:F3} bits/token");
        LanguageModelMetrics after = model.Evaluate(heldOut, "Text", batchSize: 1, corpus: LanguageModelCorpus.Continuous);
        Assert.AreEqual(before.CrossEntropy, after.CrossEntropy, 1e-9, "the trained model must not change");
    }

    [TestMethod]
    public void DynamicEvaluationWithANegligibleRateEqualsTheStaticSingleStream()
    {
        IDataView heldOut = LanguageModelTestData.Load(ml, Codec, LanguageModelTestData.Repeating("abcdefg", 5, 37, seed: 4));
        LanguageModelMetrics stream = model.Evaluate(heldOut, "Text", batchSize: 1, corpus: LanguageModelCorpus.Continuous);

        LanguageModelMetrics adapted = model.EvaluateDynamic(heldOut, "Text", new DynamicEvaluationOptions { LearningRate = 1e-12, SequenceLength = 5 });

        Assert.AreEqual(stream.TokenCount, adapted.TokenCount);
        Assert.AreEqual(stream.CrossEntropy, adapted.CrossEntropy, 1e-5, "each window is scored before the update, with the state carried");
    }

    [TestMethod]
    public void DynamicEvaluationDecayPullsTheWeightsBackToTheTrainedModel()
    {
        IDataView heldOut = LanguageModelTestData.Load(ml, Codec, LanguageModelTestData.Repeating("gcaebfd", 30, 40, seed: 3));
        var free = model.EvaluateDynamic(heldOut, options: new DynamicEvaluationOptions { LearningRate = 0.01, SequenceLength = 8 });
        var anchored = model.EvaluateDynamic(heldOut, options: new DynamicEvaluationOptions { LearningRate = 0.01, SequenceLength = 8, DecayRate = 0.5 });
        Assert.IsTrue(anchored.BitsPerToken > free.BitsPerToken, $"decay 0.5: {anchored.BitsPerToken:F3}, none: {free.BitsPerToken:F3} bits/token");
    }

    [TestMethod]
    public void DynamicEvaluationWithADecayNearOneScoresLikeTheTrainedModel()
    {
        // Each step is pulled back almost all the way to the trained weights, so every window is scored by them.
        IDataView heldOut = LanguageModelTestData.Load(ml, Codec, LanguageModelTestData.Repeating("gcaebfd", 30, 40, seed: 3));
        LanguageModelMetrics stream = model.Evaluate(heldOut, "Text", batchSize: 1, corpus: LanguageModelCorpus.Continuous);
        var free = model.EvaluateDynamic(heldOut, options: new DynamicEvaluationOptions { LearningRate = 0.01, SequenceLength = 8 });
        var pulledBack = model.EvaluateDynamic(heldOut, options: new DynamicEvaluationOptions { LearningRate = 0.01, SequenceLength = 8, DecayRate = 0.999999 });

        Assert.IsTrue(Math.Abs(free.CrossEntropy - stream.CrossEntropy) > 1e-3, "without decay the weights adapt");
        Assert.AreEqual(stream.CrossEntropy, pulledBack.CrossEntropy, 1e-5, "the decay pulls towards the trained weights");
    }

    [TestMethod]
    [DataRow(nameof(DynamicEvaluationOptions.LearningRate), 0.0)]
    [DataRow(nameof(DynamicEvaluationOptions.LearningRate), double.NaN)]
    [DataRow(nameof(DynamicEvaluationOptions.SequenceLength), 0.0)]
    [DataRow(nameof(DynamicEvaluationOptions.DecayRate), 1.0)]
    [DataRow(nameof(DynamicEvaluationOptions.DecayRate), -0.1)]
    [DataRow(nameof(DynamicEvaluationOptions.AdamBeta1), 1.0)]
    [DataRow(nameof(DynamicEvaluationOptions.AdamBeta2), -1.0)]
    public void InvalidDynamicEvaluationOptionsNameTheOption(string name, double value)
    {
        IDataView heldOut = LanguageModelTestData.Load(ml, Codec, new[] { "abcdefg" });
        var options = new DynamicEvaluationOptions();
        var property = typeof(DynamicEvaluationOptions).GetProperty(name)!;
        property.SetValue(options, property.PropertyType == typeof(int) ? (object)(int)value : value);

        var e = Assert.Throws<ArgumentException>(() => model.EvaluateDynamic(heldOut, options: options));
        StringAssert.Contains(e.Message, name);
    }

    [TestMethod]
    public void DynamicEvaluationOfADisposedModelThrowsObjectDisposed()
    {
        var (context, own) = TrainOnePattern();
        IDataView heldOut = LanguageModelTestData.Load(context, Codec, new[] { "abcdefg" });
        own.Dispose();
        Assert.Throws<ObjectDisposedException>(() => own.EvaluateDynamic(heldOut));
    }
}
