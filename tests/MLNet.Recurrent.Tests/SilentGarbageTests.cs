using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// No silent garbage and no misleading errors (docs/reliability.md): a diverging training stops with an error naming
/// the batch and the learning rate, a classifier needs two classes, greedy top-1 sampling stays greedy at any
/// temperature, and bad label keys and pretrained-embedding files get errors that say what is wrong with them.
/// </summary>
[TestClass]
public sealed class SilentGarbageTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(RecurrentTask.BinaryClassification)]
    [DataRow(RecurrentTask.MulticlassClassification)]
    [DataRow(RecurrentTask.Regression)]
    public void AHugeLearningRateStopsTrainingWithAnErrorNamingTheBatchAndTheLearningRate(RecurrentTask task)
    {
        var ml = new MLContext(seed: 1);
        var options = new RecurrentTrainerOptions { LearningRate = 1e30, NumberOfEpochs = 3, Seed = 1 };
        Action fit = task switch
        {
            RecurrentTask.BinaryClassification => () => ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(96, 1))).Dispose(),
            RecurrentTask.Regression => () => ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(Synthetic.CountAfter(96, 1))).Dispose(),
            _ => () => ((IDisposable)Synthetic.MulticlassPipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(Synthetic.FirstOf(96, 1)))).Dispose(),
        };
        var e = Assert.Throws<InvalidOperationException>(fit);
        StringAssert.Contains(e.Message, "Training diverged");
        StringAssert.Contains(e.Message, "batch");
        StringAssert.Contains(e.Message, "LearningRate is 1E+30");
    }

    [TestMethod]
    public void AHugeLearningRateStopsALanguageModelToo()
    {
        var ml = new MLContext(seed: 1);
        var options = LanguageModelTestData.TinyOptions();
        options.LearningRate = 1e30;
        options.NumberOfEpochs = 3;
        IDataView data = LanguageModelTestData.Load(ml, new TestCharCodec("abcd"), LanguageModelTestData.Repeating("abcd", 16, 24, seed: 1));
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.TrainLanguageModel(options).Fit(data).Dispose());
        StringAssert.Contains(e.Message, "LearningRate");
    }

    [TestMethod]
    public void NormalTrainingsDoNotTripTheDivergenceCheck()
    {
        var ml = new MLContext(seed: 1);
        var options = Synthetic.SmallOptions(epochs: 8);
        options.LearningRate = 0.05; // high, but not divergent
        using var model = ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(Synthetic.CountAfter(200, 2)));
        Assert.IsTrue(model.TrainingHistory.All(p => double.IsFinite(p.TrainLoss)));
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void BinaryTrainingDataOfOneClassIsAnError(bool label)
    {
        var ml = new MLContext(seed: 1);
        var rows = Synthetic.Order(30, 1).Select(r => new BinaryRow { Tokens = r.Tokens, Label = label }).ToList();
        var e = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(Synthetic.SmallOptions(1)).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(e.Message, "single class");
        StringAssert.Contains(e.Message, $"all 30 usable training rows have label {(label ? "true" : "false")}");
    }

    [TestMethod]
    public void MulticlassTrainingDataWithOnePresentClassIsAnError()
    {
        var ml = new MLContext(seed: 1);
        // The key has 3 values (fitted on all rows), but the training rows hold one class.
        var all = Synthetic.FirstOf(60, 1);
        var key = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(all));
        var single = all.Where(r => r.Label == "beta").ToList();
        var data = key.Transform(ml.Data.LoadFromEnumerable(single));
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.Recurrent(Synthetic.SmallOptions(1)).Fit(data));
        StringAssert.Contains(e.Message, "single class");
        StringAssert.Contains(e.Message, "'beta'");
    }

    [TestMethod]
    public void ALabelKeyWithOneValueSaysSoInsteadOfAskingForMapValueToKey()
    {
        var ml = new MLContext(seed: 1);
        var oneClass = Synthetic.FirstOf(20, 1).Select(r => new ClassRow { Tokens = r.Tokens, Label = "alpha" }).ToList();
        var empty = new List<ClassRow>();
        foreach (var (what, rows) in new[] { ("one class", oneClass), ("empty", empty) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.MulticlassPipeline(ml, Synthetic.SmallOptions(1)).Fit(ml.Data.LoadFromEnumerable(rows)), what);
            StringAssert.Contains(e.Message, "is a key with 1 value", what);
            StringAssert.Contains(e.Message, "at least 2", what);
            Assert.IsFalse(e.Message.Contains("use MapValueToKey"), $"{what}: {e.Message}");
        }

        // Validation data keyed by its own MapValueToKey (one row: one class) instead of the training pipeline's.
        var train = Synthetic.FirstOf(40, 2);
        var validationRow = Synthetic.FirstOf(1, 3);
        var options = Synthetic.SmallOptions(1);
        options.ValidationSet = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(validationRow)).Transform(ml.Data.LoadFromEnumerable(validationRow));
        var v = Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.MulticlassPipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(train)));
        StringAssert.Contains(v.Message, "ValidationSet");
        StringAssert.Contains(v.Message, "fitted on the training data");
    }

    [TestMethod]
    public void TopOneWithAHugeTemperatureIsStillGreedy()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        TestCharCodec codec = TrainedPatternModel.Codec;
        int[] prompt = codec.Encode("abcdab");
        int[] greedy = model.Generate(prompt, 12, new GenerationOptions { Temperature = 0 });
        foreach (double temperature in new[] { 1.0, 1e6, 1e300, double.MaxValue })
        {
            int[] topOne = model.Generate(prompt, 12, new GenerationOptions { TopK = 1, Temperature = temperature, Seed = 3 });
            CollectionAssert.AreEqual(greedy, topOne, $"temperature {temperature}");
        }
        Assert.AreEqual("cdabcdabcdab", codec.Decode(greedy), "the pattern model continues its pattern");
        var sampler = new TokenSampler(new GenerationOptions { TopK = 2, Temperature = 1e300, Seed = 1 });
        float[] logits = [0f, 5f, 1f, 9f, 7f]; // ids 3 and 4 are the top two
        for (int i = 0; i < 50; i++)
            Assert.IsTrue(sampler.Next(logits) is 3 or 4, "top-k keeps the k most likely tokens at any temperature");
    }

    [TestMethod]
    [DataRow("NaN", 3)]
    [DataRow("1e39", 3)]
    [DataRow("-1e39", 2)]
    public void APretrainedEmbeddingsFileWithANonFiniteValueIsAnErrorNamingTheFileAndLine(string value, int line)
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"vectors-{Guid.NewGuid():N}.txt");
        string[] lines = ["the 0.1 0.2 0.3", line == 2 ? $"cat 0.1 {value} 0.3" : "cat 0.1 0.2 0.3", line == 3 ? $"dog {value} 0.2 0.3" : "dog 0.1 0.2 0.3"];
        File.WriteAllLines(path, lines);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => TrainWithEmbeddings(path));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, $"line {line}");
            StringAssert.Contains(e.Message, "finite");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ABinaryFileAsPretrainedEmbeddingsIsAnErrorSayingItIsNotAVectorTextFile()
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"vectors-{Guid.NewGuid():N}.bin");
        var rng = new Random(5);
        byte[] bytes = new byte[10_000];
        rng.NextBytes(bytes);
        bytes[100] = 0;
        File.WriteAllBytes(path, bytes);
        string textPath = path + ".txt";
        File.WriteAllText(textPath, "<html><body>not vectors</body></html>\n");
        try
        {
            foreach (string file in new[] { path, textPath })
            {
                var e = Assert.Throws<InvalidDataException>(() => TrainWithEmbeddings(file));
                StringAssert.Contains(e.Message, "not a GloVe / word2vec text file");
                Assert.IsFalse(e.Message.Contains("set EmbeddingSize"), e.Message);
            }
        }
        finally
        {
            File.Delete(path);
            File.Delete(textPath);
        }
    }

    private static void TrainWithEmbeddings(string path)
    {
        var ml = new MLContext(seed: 1);
        var rows = new[] { "the cat", "the dog", "a cat", "a dog" }.Select((t, i) => new LimitsTests.TextLabelRow { Text = t, Label = i % 2 == 0 }).ToList();
        var options = Synthetic.SmallOptions(1);
        options.EmbeddingSize = 3;
        options.PretrainedEmbeddingsPath = path;
        ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Append(ml.BinaryClassification.Trainers.Recurrent(options)).Fit(ml.Data.LoadFromEnumerable(rows)).Dispose();
    }
}
