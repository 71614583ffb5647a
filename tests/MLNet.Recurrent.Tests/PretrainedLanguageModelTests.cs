using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

/// <summary><see cref="RecurrentTrainerOptions.PretrainedLanguageModel"/>: a language model starts a classifier (ULMFiT).</summary>
[TestClass]
public sealed class PretrainedLanguageModelTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly string[] Sentences =
    [
        "the cat sat on the mat", "a dog ran in the park", "the cat chased a mouse", "my dog likes the park",
        "cats purr and sleep", "dogs bark at night", "the mouse hid from the cat", "a happy dog wags",
    ];

    private sealed class Row
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    private static (MLContext Ml, IDataView Tokens, LanguageModelTransformer Lm) LanguageModel(TokenizerOptions? tokenizer = null, int hidden = 8)
    {
        var ml = new MLContext(seed: 1);
        var text = ml.Data.LoadFromEnumerable(Sentences.Select((s, i) => new Row { Text = s, Label = s.Contains("cat") || s.Contains("mouse") }).ToList());
        IDataView tokens = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer).Fit(text).Transform(text);
        var lm = ml.Transforms.Text.TrainLanguageModel(new LanguageModelOptions
        {
            EmbeddingSize = 6, HiddenSize = hidden, NumberOfLayers = 1, NumberOfEpochs = 3, SequenceLength = 8, Seed = 2,
        }).Fit(tokens);
        return (ml, tokens, lm);
    }

    private static RecurrentTrainerOptions Classifier(int epochs, int frozen) => new()
    {
        Bidirectional = true, EmbeddingSize = 6, HiddenSize = 8, NumberOfEpochs = epochs, LearningRate = 0.05,
        PretrainedLayersFrozenEpochs = frozen, Seed = 3,
    };

    private static float[] Values(nn.Module module, string name) =>
        module.named_parameters().Single(p => p.name == name).parameter.data<float>().ToArray();

    [TestMethod]
    public void TheEmbeddingAndForwardLayersStartFromTheLanguageModelAndStayWhileFrozen()
    {
        var (ml, tokens, lm) = LanguageModel();
        using var _ = lm;
        var options = Classifier(epochs: 2, frozen: 5);
        options.PretrainedLanguageModel = lm;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(tokens);

        CollectionAssert.AreEqual(Values(lm.Model, "embedding.weight"), Values(model.Model, "encoder.embedding.weight"), "same token column: the embedding, row for row");
        foreach (string name in new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0" })
            CollectionAssert.AreEqual(Values(lm.Model, "rnn." + name), Values(model.Model, "encoder.rnn." + name), name);
        CollectionAssert.AreNotEqual(Values(lm.Model, "rnn.weight_hh_l0"), Values(model.Model, "encoder.rnn.weight_hh_l0_reverse"), "the backward direction starts fresh");
    }

    [TestMethod]
    public void ThePretrainedLayersLearnOnceUnfrozen()
    {
        var (ml, tokens, lm) = LanguageModel();
        using var _ = lm;
        var options = Classifier(epochs: 3, frozen: 1);
        options.PretrainedLanguageModel = lm;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(tokens);
        CollectionAssert.AreNotEqual(Values(lm.Model, "rnn.weight_hh_l0"), Values(model.Model, "encoder.rnn.weight_hh_l0"));
    }

    [TestMethod]
    public void TokensAreMatchedByTextAcrossVocabulariesAndTheZipWorksLikeTheModel()
    {
        // The language model's tokenizer keeps words seen twice (another id order, fewer tokens); the classifier's keeps all.
        var (ml, _, lm) = LanguageModel(new TokenizerOptions { MinimumFrequency = 2 });
        string zip = TestData.TempPath(TestContext, "lm.zip");
        ml.Model.Save(lm, null, zip);
        var text = ml.Data.LoadFromEnumerable(Sentences.Select((s, i) => new Row { Text = s, Label = i % 2 == 0 }).ToList());
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Fit(text);
        IDataView tokens = tokenizer.Transform(text);
        var options = Classifier(epochs: 1, frozen: 5);
        options.PretrainedLanguageModelPath = zip;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(tokens);

        float[] lmEmbedding = Values(lm.Model, "embedding.weight"), embedding = Values(model.Model, "encoder.embedding.weight");
        int width = 6;
        foreach (string word in new[] { "the", "cat", "dog" })
        {
            int i = tokenizer.Vocabulary.GetIdOrUnknown(word), j = lm.Vocabulary!.ToList().IndexOf(word);
            Assert.IsGreaterThan(1, j, word);
            CollectionAssert.AreEqual(lmEmbedding[(j * width)..((j + 1) * width)], embedding[(i * width)..((i + 1) * width)], word);
        }
        lm.Dispose();
    }

    [TestMethod]
    public void AMismatchedArchitectureIsNamed()
    {
        var (ml, tokens, lm) = LanguageModel(hidden: 12);
        using var _ = lm;
        var options = Classifier(epochs: 1, frozen: 0);
        options.PretrainedLanguageModel = lm;
        var e = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(tokens));
        StringAssert.Contains(e.Message, "HiddenSize is 8 but the language model's is 12");
        var both = Classifier(1, 0);
        both.PretrainedLanguageModel = lm;
        both.PretrainedLanguageModelPath = "x.zip";
        Assert.AreEqual(nameof(RecurrentTrainerOptions.PretrainedLanguageModelPath), Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Recurrent(both)).ParamName);
    }
}
