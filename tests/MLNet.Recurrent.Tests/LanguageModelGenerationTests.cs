using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class LanguageModelGenerationTests
{
    private static readonly GenerationOptions Greedy = new() { Temperature = 0 };

    [TestMethod]
    public void BadArgumentsGetClearErrors()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        Assert.ThrowsExactly<ArgumentNullException>(() => model.Generate((string)null!, 5));
        Assert.AreEqual("maxTokens", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate("ab", 0)).ParamName);
        Assert.AreEqual("maxTokens", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.GenerateStreaming("ab", -1)).ParamName, "checked on call, not on enumeration");
        Assert.AreEqual("Temperature", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate("ab", 5, new GenerationOptions { Temperature = -0.1 })).ParamName);
        Assert.AreEqual("Temperature", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate("ab", 5, new GenerationOptions { Temperature = double.NaN })).ParamName);
        Assert.AreEqual("TopP", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate("ab", 5, new GenerationOptions { TopP = 0 })).ParamName);
        Assert.AreEqual("TopP", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate("ab", 5, new GenerationOptions { TopP = 1.5 })).ParamName);
        Assert.AreEqual("TopK", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate("ab", 5, new GenerationOptions { TopK = -1 })).ParamName);
        Assert.AreEqual("StopSequence", Assert.ThrowsExactly<ArgumentException>(() => model.Generate("ab", 5, new GenerationOptions { StopSequence = "" })).ParamName);
        Assert.AreEqual("promptIds", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate(new[] { 2, 99 }, 5)).ParamName);
        Assert.AreEqual("promptIds", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate(new[] { -1 }, 5)).ParamName);
    }

    [TestMethod]
    public void WithoutTokenizerAnnotationsOnlyTheIdLevelOverloadGenerates()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 16).Select(i => new TokenRow { Tokens = Enumerable.Range(0, 12).Select(t => 2 + (i + t) % 3).ToArray() });
        var definition = Microsoft.ML.Data.SchemaDefinition.Create(typeof(TokenRow));
        definition[nameof(TokenRow.Tokens)].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Int32);
        IDataView data = ml.Data.LoadFromEnumerable(rows, definition);
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 20;
        using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        Assert.AreEqual(5, model.VocabularySize, "largest id + 1 without a Vocabulary annotation");
        Assert.IsFalse(model.CanGenerateText);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => model.Generate("x", 3)).Message, "IReadOnlyList<int>");
        CollectionAssert.AreEqual(new[] { 4, 2, 3, 4 }, model.Generate(new[] { 2, 3 }, 4, Greedy));
    }

    [TestMethod]
    public void EmptyPromptWithoutBosStartsFromTheTrainingTokenFrequencies()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        string text = model.Generate("", 12, Greedy);
        Assert.AreEqual(12, text.Length);
        StringAssert.Contains("abcdabcdabcdabcd", text, "after its first token the model continues the pattern");
        Assert.AreEqual(12, model.Generate(Array.Empty<int>(), 12, Greedy).Length);
    }

    [TestMethod]
    public void EmptyPromptWithBosStartsFromBosAndPromptsGetBosInFront()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("mno", beginningOfSequence: true);
        // Every row starts with <bos> then "mno…": after <bos> the model must say 'm'.
        IDataView data = LanguageModelTestData.Load(ml, codec, Enumerable.Repeat("mnomnomnomno", 24));
        using var model = ml.Transforms.Text.TrainLanguageModel(LanguageModelTestData.TinyOptions()).Fit(data);
        Assert.AreEqual("mnomnom", model.Generate("", 7, Greedy));
        Assert.AreEqual("omnom", model.Generate("mn", 5, Greedy));
    }

    [TestMethod]
    public void UnknownCharactersInThePromptBecomeUnkAndGenerationContinues()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        string text = model.Generate("Zürixh abc", 8, Greedy); // no character of "Zürixh " is in the vocabulary (a–d)
        Assert.AreEqual(8, text.Length);
        Assert.IsTrue(text.All(c => "abcd".Contains(c)), text);
        Assert.AreEqual(model.Generate("?????? abc", 8, Greedy), text, "every unknown character is the same <unk>");
    }

    [TestMethod]
    public void StopSequenceEndsTheTextJustBeforeItAlsoWhenStreaming()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        var options = new GenerationOptions { Temperature = 0, StopSequence = "bc" };
        Assert.AreEqual("cda", model.Generate("ab", 40, options));
        Assert.AreEqual("cda", string.Concat(model.GenerateStreaming("ab", 40, options)));
        Assert.AreEqual("cdabcdabcd", model.Generate("ab", 10, new GenerationOptions { Temperature = 0, StopSequence = "zz" }), "no stop: maxTokens");
        Assert.AreEqual("cdabcdabcd", model.Generate("ab", 10, new GenerationOptions { Temperature = 0, StopSequence = "dz" }), "held-back text is returned at the end");
    }

    [TestMethod]
    public void StreamingPiecesConcatenateToGenerateAndSeedsAreReproducible()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        var sampling = new GenerationOptions { Temperature = 2.5, Seed = 11 };
        string whole = model.Generate("a", 60, sampling);
        var pieces = model.GenerateStreaming("a", 60, sampling).ToList();
        Assert.HasCount(60, pieces, "one piece per character for a character model");
        Assert.AreEqual(whole, string.Concat(pieces));
        Assert.AreEqual(whole, model.Generate("a", 60, sampling));
        Assert.AreNotEqual(whole, model.Generate("a", 60, new GenerationOptions { Temperature = 2.5, Seed = 12 }));
    }

    [TestMethod]
    public void TopKOfOneIsGreedyAndTinyTopPKeepsOnlyTheMostLikelyToken()
    {
        LanguageModelTransformer model = TrainedPatternModel.Model;
        string greedy = model.Generate("c", 20, Greedy);
        Assert.AreEqual(greedy, model.Generate("c", 20, new GenerationOptions { Temperature = 3, TopK = 1, Seed = 5 }));
        Assert.AreEqual(greedy, model.Generate("c", 20, new GenerationOptions { Temperature = 3, TopP = 1e-6, Seed = 5 }));
        Assert.AreNotEqual(greedy, model.Generate("c", 20, new GenerationOptions { Temperature = 3, Seed = 5 }), "a hot temperature without filters wanders");
    }

    [TestMethod]
    public void SamplerFollowsTheDistributionAndNeverPicksPad()
    {
        var sampler = new TokenSampler(new GenerationOptions { Seed = 1 });
        float[] logits = { 10, 0, (float)Math.Log(3), 0 }; // <pad> is very likely but excluded; then 3 : 1 : 1
        int[] counts = new int[4];
        for (int i = 0; i < 5000; i++)
            counts[sampler.Next(logits)]++;
        Assert.AreEqual(0, counts[0]);
        Assert.AreEqual(0.6, counts[2] / 5000.0, 0.03);
        Assert.AreEqual(0.2, counts[1] / 5000.0, 0.03);

        var topK = new TokenSampler(new GenerationOptions { Seed = 1, TopK = 2 });
        float[] ranked = { 0, 1, 2, 3, 4 };
        Assert.IsTrue(Enumerable.Range(0, 500).Select(_ => topK.Next(ranked)).All(id => id is 3 or 4));
        var topP = new TokenSampler(new GenerationOptions { Seed = 1, TopP = 0.5 });
        float[] skewed = { 0, (float)Math.Log(0.1), (float)Math.Log(0.3), (float)Math.Log(0.6) };
        Assert.IsTrue(Enumerable.Range(0, 500).Select(_ => topP.Next(skewed)).All(id => id == 3));
    }
}
