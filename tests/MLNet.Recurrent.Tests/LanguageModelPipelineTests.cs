using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>The language model behind the real tokenizer: text → TokenizeToIds → TrainLanguageModel → Generate text, saved and reloaded.</summary>
[TestClass]
public sealed class LanguageModelPipelineTests
{
    private sealed class Line
    {
        public string Text { get; set; } = "";
    }

    [TestMethod]
    public void CharacterPipelineGeneratesThePatternAsTextAndAgainAfterReload()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 48).Select(i => new Line { Text = string.Concat(Enumerable.Repeat("abc", 8)) }).ToList());
        LanguageModelOptions options = LanguageModelTestData.TinyOptions();
        options.Corpus = LanguageModelCorpus.Continuous;
        var pipeline = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character })
            .Append(ml.Transforms.Text.TrainLanguageModel(options));
        var model = pipeline.Fit(data);
        LanguageModelTransformer lm = model.LastTransformer;
        Assert.IsTrue(lm.CanGenerateText);

        var greedy = new GenerationOptions { Temperature = 0 };
        string generated = lm.Generate("abc", 9, greedy);
        Assert.AreEqual("abcabcabc", generated);

        string path = Path.Combine(Path.GetTempPath(), $"lm-pipeline-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, path);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        var fresh = new MLContext();
        var loaded = (TransformerChain<ITransformer>)fresh.Model.Load(path, out _);
        var reloadedLm = (LanguageModelTransformer)loaded.Last();
        Assert.AreEqual(generated, reloadedLm.Generate("abc", 9, greedy));
        var sampled = new GenerationOptions { Temperature = 1.0, Seed = 5 };
        Assert.AreEqual(lm.Generate("ab", 20, sampled), reloadedLm.Generate("ab", 20, sampled), "same seed → same sampled text after reload");
        File.Delete(path);
    }
}
