using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class LanguageModelScoringTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void UniformModelHasPerplexityEqualToTheVocabularySize()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("abcdefg");
        IDataView data = LanguageModelTestData.Load(ml, codec, new[] { "abcdefg", "gfedcba", "aaaa", "b" });
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 1;
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        using (no_grad())
        {
            foreach (var p in model.Model.parameters())
                p.zero_();
        }

        LanguageModelScore[] rows = ml.Data.CreateEnumerable<LanguageModelScore>(model.Transform(data), reuseRowObject: false).ToArray();
        int v = codec.VocabularySize; // 9: <pad>, <unk> and 7 letters
        CollectionAssert.AreEqual(new[] { 6, 6, 3, 0 }, rows.Select(r => r.TokenCount).ToArray());
        Assert.AreEqual(-6 * Math.Log(v), rows[0].LogLikelihood, 1e-4);
        Assert.AreEqual(v, rows[0].Perplexity, 1e-3);
        Assert.AreEqual(0f, rows[3].LogLikelihood, "a row with one token has nothing to predict");
        Assert.IsTrue(float.IsNaN(rows[3].Perplexity));

        LanguageModelMetrics metrics = model.Evaluate(data);
        Assert.AreEqual(v, metrics.Perplexity, 1e-6);
        Assert.AreEqual(Math.Log2(v), metrics.BitsPerToken, 1e-6);
        Assert.AreEqual(15, metrics.TokenCount);
        Assert.AreEqual(4, metrics.RowCount);
    }

    [TestMethod]
    public void BitsPerCharacterMatchesAHandComputedCase()
    {
        // Two rows, 3 predicted tokens with p = 1/4 each: 6 bits in all; texts of 10 and 2 characters (a surrogate pair counts once).
        LanguageModelMetrics m = LanguageModelMetrics.FromTotals(3 * Math.Log(0.25), tokenCount: 3, rowCount: 2, characterCount: 12);
        Assert.AreEqual(2 * Math.Log(2), m.CrossEntropy, 1e-12);
        Assert.AreEqual(4, m.Perplexity, 1e-12);
        Assert.AreEqual(2, m.BitsPerToken, 1e-12);
        Assert.AreEqual(0.5, m.BitsPerCharacter!.Value, 1e-12);

        var ml = new MLContext();
        var scored = ml.Data.LoadFromEnumerable(new[]
        {
            new { LogLikelihood = (float)(2 * Math.Log(0.25)), TokenCount = 2, Text = "the cat is" },
            new { LogLikelihood = (float)Math.Log(0.25), TokenCount = 1, Text = "a\U0001F600" },
            new { LogLikelihood = 0f, TokenCount = 0, Text = "" },
        });
        LanguageModelMetrics e = ml.Transforms.Text.EvaluateLanguageModel(scored, textColumnName: "Text");
        Assert.AreEqual(12, e.CharacterCount);
        Assert.AreEqual(3, e.RowCount);
        Assert.AreEqual(0.5, e.BitsPerCharacter!.Value, 1e-6);
        Assert.AreEqual(2, e.BitsPerToken, 1e-6);
        Assert.IsNull(ml.Transforms.Text.EvaluateLanguageModel(scored).BitsPerCharacter);
        Assert.Throws<ArgumentException>(() => ml.Transforms.Text.EvaluateLanguageModel(scored, textColumnName: "Missing"));
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm)]
    [DataRow(RecurrentCell.Gru)]
    public void CarriedStateAcrossWindowsGivesTheLogLikelihoodOfOneLongWindow(RecurrentCell cell)
    {
        TorchRuntime.EnsureLoaded();
        var architecture = new LanguageModelArchitecture { VocabularySize = 12, Cell = cell, EmbeddingSize = 5, HiddenSize = 7, NumberOfLayers = 2 };
        using var model = TrainingRandomness.Run(5, g => new RecurrentLanguageModel(architecture, g));
        model.eval();
        var rng = new Random(3);
        int[] stream = Enumerable.Range(0, 53).Select(_ => rng.Next(1, 12)).ToArray();

        double whole = new LanguageModelScorer(model, CPU).Score(new[] { stream })[0].LogLikelihood;

        using var objective = new LanguageModelObjective(model);
        var carried = new ContinuousStreamBatcher(stream, batchSize: 1, sequenceLength: 7, seed: 0, CPU);
        TrainingLoop<LanguageModelBatch>.Evaluate(model, carried, objective);
        Assert.AreEqual(whole, objective.PassLogLikelihood, 1e-4, "8 windows of 7 with the state carried = one window of 52");

        // Without carrying (independent windows) the context is lost: the test above can tell the difference.
        TrainingLoop<LanguageModelBatch>.Evaluate(model, new IndependentRowsBatcher(new[] { stream }, 7, 16, 0, CPU), objective);
        Assert.IsGreaterThan(1e-3, Math.Abs(whole - objective.PassLogLikelihood));
    }

    [TestMethod]
    public void RowsScoreTheSameAloneAndInABatchAndPaddingIsIgnored()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        var ml = TrainedPatternModel.Context;
        var codec = TrainedPatternModel.Codec;
        string[] texts = { "abcdabcdab", "cdab", "dabcdabcdabcdabcdabca", "a" };
        IDataView data = LanguageModelTestData.Load(ml, codec, texts);
        LanguageModelScore[] one = ml.Data.CreateEnumerable<LanguageModelScore>(model.Transform(data), false).ToArray();
        var batched = model.Evaluate(data, batchSize: 3);
        Assert.AreEqual(one.Sum(r => (double)r.LogLikelihood), batched.LogLikelihood, 1e-4);
        Assert.AreEqual(one.Sum(r => r.TokenCount), batched.TokenCount);

        var padded = ml.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = new[] { 0, 0 }.Concat(codec.Encode(texts[0])).Concat(new[] { 0, 0, 0 }).ToArray() } },
            SchemaDefinition.Create(typeof(TokenRow)));
        var p = ml.Data.CreateEnumerable<LanguageModelScore>(model.Transform(padded), false).Single();
        Assert.AreEqual(one[0].LogLikelihood, p.LogLikelihood, 1e-5);
    }

    [TestMethod]
    public void ContinuousEvaluationReadsTheRowsInOrderAsOneTextWithTheStateCarried()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        var ml = TrainedPatternModel.Context;
        var codec = TrainedPatternModel.Codec;
        // One periodic text cut into rows at uneven places, so the pattern runs on across row boundaries.
        string text = string.Concat(Enumerable.Repeat("abcd", 20)) + "ab";
        int[] cuts = { 0, 7, 9, 10, 31, 58, 82 };
        string[] rows = cuts.Zip(cuts.Skip(1), (from, to) => text[from..to]).ToArray();
        IDataView data = LanguageModelTestData.Load(ml, codec, rows);
        IDataView whole = LanguageModelTestData.Load(ml, codec, new[] { text });

        // One part: exactly the whole text scored as one row; every token but the first is predicted.
        LanguageModelMetrics single = model.Evaluate(data, "Text", batchSize: 1, corpus: LanguageModelCorpus.Continuous);
        LanguageModelMetrics reference = model.Evaluate(whole, "Text");
        Assert.AreEqual(reference.LogLikelihood, single.LogLikelihood, 1e-4);
        Assert.AreEqual(text.Length - 1, single.TokenCount);
        Assert.AreEqual(rows.Length, single.RowCount);
        Assert.AreEqual(text.Length, single.CharacterCount);

        // Three parts overlapping by one token: each scored from the initial state, no token skipped or counted twice.
        LanguageModelMetrics parts = model.Evaluate(data, batchSize: 3, corpus: LanguageModelCorpus.Continuous);
        long predicted = text.Length - 1;
        double expected = Enumerable.Range(0, 3).Sum(p =>
            model.Evaluate(LanguageModelTestData.Load(ml, codec, new[] { text[(int)(predicted * p / 3)..(int)(predicted * (p + 1) / 3 + 1)] })).LogLikelihood);
        Assert.AreEqual(expected, parts.LogLikelihood, 1e-4);
        Assert.AreEqual(predicted, parts.TokenCount);

        // Row by row, the first token of every row goes unpredicted: fewer tokens than the continuous reading.
        Assert.AreEqual(text.Length - rows.Length, model.Evaluate(data).TokenCount);

        // Two one-token rows: nothing to predict row by row, one token read as a text (more parts than tokens is fine).
        IDataView pair = LanguageModelTestData.Load(ml, codec, new[] { "a", "b" });
        Assert.AreEqual(0, model.Evaluate(pair).TokenCount);
        Assert.AreEqual(1, model.Evaluate(pair, batchSize: 32, corpus: LanguageModelCorpus.Continuous).TokenCount);
        Assert.Throws<ArgumentException>(() => model.Evaluate(data, corpus: (LanguageModelCorpus)7));
    }

    [TestMethod]
    public void SaveAndLoadInANewContextKeepScoresGenerationAndTheTokenizer()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        IDataView data = TrainedPatternModel.Data;
        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"lm-{Guid.NewGuid():N}.zip");
        TrainedPatternModel.Context.Model.Save(model, data.Schema, path);

        var fresh = new MLContext();
        ITransformer loadedTransformer = fresh.Model.Load(path, out DataViewSchema inputSchema);
        using var loaded = (LanguageModelTransformer)loadedTransformer;
        Assert.AreEqual(model.VocabularySize, loaded.VocabularySize);
        Assert.AreEqual(model.HiddenSize, loaded.HiddenSize);
        Assert.IsTrue(inputSchema.GetColumnOrNull("Tokens").HasValue);

        float[] before = TrainedPatternModel.Context.Data.CreateEnumerable<LanguageModelScore>(model.Transform(data), false).Select(r => r.LogLikelihood).ToArray();
        float[] after = fresh.Data.CreateEnumerable<LanguageModelScore>(loaded.Transform(data), false).Select(r => r.LogLikelihood).ToArray();
        CollectionAssert.AreEqual(before, after, "identical log-likelihoods after load");

        var sampling = new GenerationOptions { Temperature = 1.5, TopK = 3, Seed = 7 };
        string expected = model.Generate("dab", 40, sampling);
        Assert.AreEqual(expected, loaded.Generate("dab", 40, sampling), "identical generation with the same seed after load");
        CollectionAssert.AreEqual(model.Generate(new[] { 2, 3 }, 20, sampling), loaded.Generate(new[] { 2, 3 }, 20, sampling));

        var engine = fresh.Model.CreatePredictionEngine<TokenRow, LanguageModelScore>(loaded);
        var first = engine.Predict(new TokenRow { Tokens = TrainedPatternModel.Codec.Encode("abcdabcd") });
        var second = engine.Predict(new TokenRow { Tokens = TrainedPatternModel.Codec.Encode("adcbadcb") });
        Assert.AreEqual(7, first.TokenCount);
        Assert.IsLessThan(1.1f, first.Perplexity);
        Assert.IsGreaterThan(2f, second.Perplexity, "the engine must not reuse the previous row's score");
    }

    [TestMethod]
    public void CorruptOrTruncatedModelThrowsInvalidDataException()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        var ml = TrainedPatternModel.Context;
        using var stream = new MemoryStream();
        ml.Model.Save(model, TrainedPatternModel.Data.Schema, stream);
        byte[] zip = stream.ToArray();
        bool damagedWeights = false;
        using var damaged = new MemoryStream();
        using (var source = new System.IO.Compression.ZipArchive(new MemoryStream(zip), System.IO.Compression.ZipArchiveMode.Read))
        using (var target = new System.IO.Compression.ZipArchive(damaged, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var input = entry.Open();
                var bytes = new MemoryStream();
                input.CopyTo(bytes);
                byte[] content = bytes.ToArray();
                if (entry.FullName.EndsWith("Weights.bin", StringComparison.Ordinal))
                {
                    content = content[..(content.Length / 2)];
                    damagedWeights = true;
                }
                using var output = target.CreateEntry(entry.FullName).Open();
                output.Write(content);
            }
        }
        Assert.IsTrue(damagedWeights, "the weights are a separate stream of the model zip");
        damaged.Position = 0;
        var e = Assert.Throws<Exception>(() => new MLContext().Model.Load(damaged, out _));
        // ML.NET creates components by reflection, so the component's exception arrives wrapped in TargetInvocationException.
        Exception? inner = e;
        while (inner is not null and not InvalidDataException)
            inner = inner.InnerException;
        Assert.IsNotNull(inner, e.ToString());
        StringAssert.Contains(inner.Message, "language model");
    }
}
