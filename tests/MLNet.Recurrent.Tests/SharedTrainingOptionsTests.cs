using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// The trainers and the language model share one options base (<see cref="RecurrentTrainingOptions"/>): every shared
/// setting is declared once, has one default (bar the documented task-specific starting values), one validation and
/// one seed rule, and works on both estimators.
/// </summary>
[TestClass]
public sealed class SharedTrainingOptionsTests
{
    /// <summary>The settings a language model starts from differently (documented on <see cref="LanguageModelOptions"/>).</summary>
    private static readonly string[] LanguageModelStartingValues =
    [
        nameof(RecurrentTrainingOptions.HiddenSize), nameof(RecurrentTrainingOptions.NumberOfLayers), nameof(RecurrentTrainingOptions.Dropout),
        nameof(RecurrentTrainingOptions.RecurrentInitialization), nameof(RecurrentTrainingOptions.BatchSize),
        nameof(RecurrentTrainingOptions.NumberOfEpochs), nameof(RecurrentTrainingOptions.LearningRate),
        nameof(RecurrentTrainingOptions.LearningRateSchedule),
    ];

    /// <summary>The settings the trainers start from differently (chosen on the accuracy suite, documented on <see cref="RecurrentTrainerOptions"/>).</summary>
    private static readonly string[] TrainerStartingValues =
    [
        nameof(RecurrentTrainingOptions.EmbeddingSize), nameof(RecurrentTrainingOptions.HiddenSize), nameof(RecurrentTrainingOptions.Dropout),
        nameof(RecurrentTrainingOptions.BatchSize), nameof(RecurrentTrainingOptions.LearningRate),
        nameof(RecurrentTrainingOptions.LearningRateSchedule), nameof(RecurrentTrainingOptions.NumberOfEpochs),
    ];

    [TestMethod]
    public void NoSettingIsDeclaredByBothOptionsClasses()
    {
        static HashSet<string> Declared(Type t) =>
            t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(p => p.Name).ToHashSet();
        var shared = Declared(typeof(RecurrentTrainerOptions));
        shared.IntersectWith(Declared(typeof(LanguageModelOptions)));
        Assert.IsEmpty(shared, $"declared on both instead of on {nameof(RecurrentTrainingOptions)}: {string.Join(", ", shared)}");
        Assert.IsGreaterThan(20, typeof(RecurrentTrainingOptions).GetProperties().Length, "the base holds the shared settings");
    }

    [TestMethod]
    public void SharedSettingsHaveOneDefaultExceptEachClasssDocumentedStartingValues()
    {
        var trainer = new RecurrentTrainerOptions();
        var languageModel = new LanguageModelOptions();
        foreach (PropertyInfo p in typeof(RecurrentTrainingOptions).GetProperties())
        {
            if (!LanguageModelStartingValues.Contains(p.Name) && !TrainerStartingValues.Contains(p.Name))
                Assert.AreEqual(p.GetValue(trainer), p.GetValue(languageModel), $"{p.Name}: one default for both");
        }
    }

    [TestMethod]
    public void TheTrainersStartFromTheRecipeChosenOnTheAccuracySuite()
    {
        // docs/accuracy.md, "The defaults": the short overload and a bare options object get the same.
        foreach (RecurrentTrainerOptions options in new[] { new RecurrentTrainerOptions(), new MLContext().MulticlassClassification.Trainers.Recurrent().Options })
        {
            Assert.AreEqual(RecurrentCell.Lstm, options.Cell);
            Assert.IsTrue(options.Bidirectional);
            Assert.AreEqual(SequencePooling.Max, options.Pooling);
            Assert.AreEqual(256, options.EmbeddingSize);
            Assert.AreEqual(64, options.HiddenSize);
            Assert.AreEqual(1, options.NumberOfLayers);
            Assert.AreEqual(0.5, options.Dropout);
            Assert.AreEqual(1, options.NGramLength);
            Assert.AreEqual(128, options.MaximumRecurrentLength);
            Assert.AreEqual(ClassWeighting.SquareRootBalanced, options.ClassWeighting);
            Assert.AreEqual(64, options.BatchSize);
            Assert.AreEqual(0.004, options.LearningRate);
            Assert.AreEqual(LearningRateSchedule.LinearDecay, options.LearningRateSchedule);
            Assert.AreEqual(7, options.NumberOfEpochs);
            Assert.AreEqual(OptimizerKind.Adam, options.Optimizer);
        }
    }

    [TestMethod]
    public void TheLanguageModelStartsFromTheSettingsOfTheMeasuredCharacterModels()
    {
        // docs/language-models.md, "Defaults": what trained the best character models within a fixed time on a CPU.
        var options = new LanguageModelOptions();
        Assert.AreEqual(RecurrentCell.Lstm, options.Cell);
        Assert.AreEqual(64, options.EmbeddingSize);
        Assert.AreEqual(256, options.HiddenSize);
        Assert.AreEqual(2, options.NumberOfLayers);
        Assert.AreEqual(0.1, options.Dropout);
        Assert.AreEqual(RecurrentInitialization.Keras, options.RecurrentInitialization);
        Assert.AreEqual(32, options.SequenceLength);
        Assert.AreEqual(64, options.BatchSize);
        Assert.AreEqual(10, options.NumberOfEpochs);
        Assert.AreEqual(0.005, options.LearningRate);
        Assert.AreEqual(LearningRateSchedule.LinearDecay, options.LearningRateSchedule);
        Assert.AreEqual(OptimizerKind.Adam, options.Optimizer);
        Assert.AreEqual(1.0, options.GradientClipNorm);
        Assert.AreEqual(LanguageModelCorpus.IndependentRows, options.Corpus);
        Assert.IsNull(options.MaximumTrainingTime);
    }

    [TestMethod]
    public void EverySharedTrainingSettingReachesTheTrainingLoop()
    {
        var options = new LanguageModelOptions
        {
            NumberOfEpochs = 7, LearningRate = 0.03, Optimizer = OptimizerKind.Sgd, WeightDecay = 0.01, Momentum = 0.7,
            AdamBeta1 = 0.8, AdamBeta2 = 0.95, GradientClipNorm = 2.5, LearningRateSchedule = LearningRateSchedule.StepDecay,
            StepDecayFactor = 0.3, WarmupSteps = 4, EarlyStoppingPatience = 2, RestoreBestWeights = false,
            MaximumTrainingTime = TimeSpan.FromMinutes(3), ValidationFraction = 0.1,
        };
        TrainingSettings settings = options.TrainingSettings(() => { }, _ => { });
        foreach (PropertyInfo p in typeof(TrainingSettings).GetProperties())
        {
            string optionName = p.Name switch
            {
                nameof(TrainingSettings.Schedule) => nameof(RecurrentTrainingOptions.LearningRateSchedule),
                nameof(TrainingSettings.TimeLimit) => nameof(RecurrentTrainingOptions.MaximumTrainingTime),
                _ => p.Name,
            };
            if (p.Name is nameof(TrainingSettings.CheckAlive) or nameof(TrainingSettings.Log) or nameof(TrainingSettings.LearningRateFactor) or nameof(TrainingSettings.Workers))
                continue; // callbacks, the estimator's own per-parameter factors and the workers (from NumberOfThreads and the device), not options
            object? expected = typeof(RecurrentTrainingOptions).GetProperty(optionName)?.GetValue(options);
            Assert.IsNotNull(typeof(RecurrentTrainingOptions).GetProperty(optionName), $"{p.Name} has no option");
            Assert.AreEqual(expected, p.GetValue(settings), $"{optionName} → {p.Name}");
        }
    }

    [TestMethod]
    [DataRow(nameof(RecurrentTrainingOptions.Momentum), 1.0)]
    [DataRow(nameof(RecurrentTrainingOptions.StepDecayFactor), 0.0)]
    [DataRow(nameof(RecurrentTrainingOptions.ValidationFraction), 1.0)]
    [DataRow(nameof(RecurrentTrainingOptions.GradientClipNorm), -1.0)]
    [DataRow(nameof(RecurrentTrainingOptions.LearningRate), double.NaN)]
    [DataRow(nameof(RecurrentTrainingOptions.WarmupSteps), -1)]
    [DataRow(nameof(RecurrentTrainingOptions.NumberOfThreads), 0)]
    [DataRow(nameof(RecurrentTrainingOptions.BatchSize), 0)]
    public void BothEstimatorsRejectTheSameInvalidSharedValue(string name, object value)
    {
        var ml = new MLContext();
        PropertyInfo property = typeof(RecurrentTrainingOptions).GetProperty(name)!;
        object converted = Convert.ChangeType(value, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
        var trainer = new RecurrentTrainerOptions();
        property.SetValue(trainer, converted);
        var languageModel = new LanguageModelOptions();
        property.SetValue(languageModel, converted);
        var a = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Recurrent(trainer));
        var b = Assert.Throws<ArgumentException>(() => ml.Transforms.Text.TrainLanguageModel(languageModel));
        Assert.AreEqual(name, a.ParamName);
        Assert.AreEqual(name, b.ParamName);
        Assert.AreEqual(a.Message, b.Message, "one validation, one message");
    }

    [TestMethod]
    public void BothEstimatorsTakeTheMLContextSeedWhenNoneIsGiven()
    {
        float[] TrainerScores(int? optionSeed)
        {
            var ml = new MLContext(seed: 9);
            var data = ml.Data.LoadFromEnumerable(Synthetic.Order(60, 3));
            var options = Synthetic.SmallOptions(epochs: 2);
            options.Seed = optionSeed;
            using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(data);
            return Synthetic.Floats(model.Transform(data), "Score");
        }
        float[] LanguageModelScores(int? optionSeed)
        {
            var ml = new MLContext(seed: 9);
            var codec = new TestCharCodec("abc");
            IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("abc", 8, 20, seed: 1));
            var options = LanguageModelTestData.TinyOptions();
            options.NumberOfEpochs = 2;
            options.Dropout = 0.2;
            options.Seed = optionSeed;
            using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
            return Synthetic.Floats(model.Transform(data), "LogLikelihood");
        }
        Synthetic.AssertBitIdentical(TrainerScores(9), TrainerScores(null), "trainer: the MLContext's seed");
        Synthetic.AssertBitIdentical(LanguageModelScores(9), LanguageModelScores(null), "language model: the MLContext's seed");
        CollectionAssert.AreNotEqual(LanguageModelScores(10), LanguageModelScores(null), "language model: another seed differs");
    }

    /// <summary>The epoch-end reports of a small classifier planned for 5,000 epochs with a time budget of <paramref name="limit"/>.</summary>
    private static List<TrainingProgress> EpochsOfAClassifierWithATimeBudget(TimeSpan limit)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Synthetic.Order(200, 3));
        var options = Synthetic.SmallOptions(epochs: 5000);
        options.MaximumTrainingTime = limit;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(data);
        return model.TrainingHistory.Where(p => p.IsEpochEnd).ToList();
    }

    [TestMethod]
    public void TheClassifierStopsAtItsTimeBudget()
    {
        var limit = TimeSpan.FromMilliseconds(500);
        var epochs = EpochsOfAClassifierWithATimeBudget(limit);
        Assert.IsLessThan(5000, epochs.Count, "stopped before its planned epochs");
        Assert.IsGreaterThanOrEqualTo(limit, epochs[^1].Elapsed, "the last epoch ended once the budget had run out");
        if (epochs.Count > 1)
            Assert.IsLessThan(limit, epochs[^2].Elapsed, "the epoch before ended inside the budget");
    }

    [TestMethod]
    public void TheEstimatedTimeLeftEndsWhenTheTimeBudgetRunsOut()
    {
        var limit = TimeSpan.FromMilliseconds(500);
        var epochs = EpochsOfAClassifierWithATimeBudget(limit);
        // 5,000 planned epochs would take minutes; the estimate is the budget that is left.
        foreach (var p in epochs)
        {
            TimeSpan left = limit > p.Elapsed ? limit - p.Elapsed : TimeSpan.Zero;
            Assert.IsLessThanOrEqualTo(left + TimeSpan.FromMilliseconds(1), p.EstimatedRemaining,
                $"epoch {p.Epoch}: {p.EstimatedRemaining} left estimated at {p.Elapsed} of a {limit} budget");
        }
        if (epochs.Count > 1)
            Assert.IsGreaterThan(TimeSpan.Zero, epochs[0].EstimatedRemaining, "the first epoch ended with budget left");
        Assert.AreEqual(TimeSpan.Zero, epochs[^1].EstimatedRemaining, "the last epoch ended once the budget had run out");
    }

    [TestMethod]
    [DataRow(LanguageModelCorpus.IndependentRows)]
    [DataRow(LanguageModelCorpus.Continuous)]
    public void TheLanguageModelHoldsOutAValidationFractionAndValidatesOnItEveryEpoch(LanguageModelCorpus corpus)
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("abc");
        IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("abc", 20, 30, seed: 2));
        var options = LanguageModelTestData.TinyOptions();
        options.Corpus = corpus;
        options.ValidationFraction = 0.2;
        options.NumberOfEpochs = 3;
        var log = new List<string>();
        ml.Log += (_, e) => log.Add(e.Message);
        using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        var epochs = model.TrainingHistory.Where(p => p.IsEpochEnd).ToList();
        Assert.HasCount(3, epochs);
        Assert.IsTrue(epochs.All(p => p.ValidationLoss is double v && double.IsFinite(v)), "every epoch is validated on the held-out part");
        string expected = corpus == LanguageModelCorpus.Continuous ? "Held out the last 120 of 600 tokens" : "Held out 4 of 20 training rows";
        Assert.IsTrue(log.Any(m => m.Contains(expected)), $"log says what was held out ({expected})");
    }

    [TestMethod]
    public void TheLanguageModelsStepDecayUsesItsFactor()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = LanguageModelTestData.Load(ml, new TestCharCodec("ab"), LanguageModelTestData.Repeating("ab", 8, 20, seed: 1));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 3;
        options.LearningRateSchedule = LearningRateSchedule.StepDecay;
        options.StepDecayFactor = 0.25;
        using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        double[] rates = model.TrainingHistory.Where(p => p.IsEpochEnd).Select(p => p.LearningRate).ToArray();
        Assert.AreEqual(options.LearningRate * 0.25 * 0.25, rates[2], 1e-12);
    }

    [TestMethod]
    public void TheLanguageModelTrainsDataParallelOnItsThreadCountAndRestoresTheCallers()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        IDataView data = LanguageModelTestData.Load(ml, new TestCharCodec("ab"), LanguageModelTestData.Repeating("ab", 8, 20, seed: 1));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 1;
        options.NumberOfThreads = 2;
        int during = 0;
        options.Progress = new SynchronousProgress(_ => during = TorchSharp.torch.get_num_threads());
        int before = TorchSharp.torch.get_num_threads();
        using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        Assert.AreEqual(1, during, "the training thread runs on one intra-op thread beside its two workers");
        Assert.AreEqual(before, TorchSharp.torch.get_num_threads());
        lock (messages)
            Assert.Contains("up to 2 parts", string.Join("\n", messages));
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
