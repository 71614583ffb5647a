using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>The token-id column contract: vocabulary size, &lt;unk&gt; mapping, key-typed columns, pretrained embeddings.</summary>
[TestClass]
public sealed class FeatureColumnTests
{
    private static readonly string[] Vocabulary = { "<pad>", "<unk>", "a", "b", "w", "x", "y", "z", "spare1", "spare2" };

    /// <summary>Loads rows whose Tokens column carries a "Vocabulary" annotation, as TokenizeToIds output does.</summary>
    private static IDataView WithVocabulary(MLContext ml, IEnumerable<BinaryRow> rows, string[] vocabulary)
    {
        var definition = SchemaDefinition.Create(typeof(BinaryRow));
        var texts = new VBuffer<ReadOnlyMemory<char>>(vocabulary.Length, vocabulary.Select(v => v.AsMemory()).ToArray());
        definition["Tokens"].AddAnnotation("Vocabulary", texts, new VectorDataViewType(TextDataViewType.Instance, vocabulary.Length));
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    private static RecurrentTrainerOptions Quick(int epochs = 2) => new() { EmbeddingSize = 6, HiddenSize = 8, NumberOfEpochs = epochs, LearningRate = 0.02, Seed = 2 };

    [TestMethod]
    public void VocabularySizeComesFromTheAnnotationAndUnknownIdsReadAsUnk()
    {
        var ml = new MLContext();
        using var model = ml.BinaryClassification.Trainers.Recurrent(Quick()).Fit(WithVocabulary(ml, Synthetic.Order(60, 1), Vocabulary));
        Assert.AreEqual(Vocabulary.Length, model.EncoderOptions.VocabularySize);

        var rows = new[]
        {
            new BinaryRow { Tokens = new[] { 4, 2, 1, 3 } },
            new BinaryRow { Tokens = new[] { 4, 2, 10, 3 } },
            new BinaryRow { Tokens = new[] { 4, 2, 5000, 3 } },
            new BinaryRow { Tokens = new[] { 4, 2, -7, 3 } },
        };
        float[] scores = Synthetic.Floats(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");
        Assert.AreEqual(scores[0], scores[1], "id = vocabulary size reads as <unk>");
        Assert.AreEqual(scores[0], scores[2], "a large id reads as <unk>");
        Assert.AreEqual(scores[0], scores[3], "a negative id reads as <unk>");
        using var engine = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, model);
        Assert.AreEqual(engine.Predict(rows[0]).Score, engine.Predict(rows[2]).Score);
    }

    [TestMethod]
    public void WithoutAnnotationTheVocabularyIsTheLargestIdPlusOne()
    {
        var ml = new MLContext();
        using var model = ml.BinaryClassification.Trainers.Recurrent(Quick()).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(60, 1)));
        Assert.AreEqual(8, model.EncoderOptions.VocabularySize, "ids 2..7 are used");
    }

    [TestMethod]
    public void EmptySequencesAreScoredAsTheInitialState()
    {
        var ml = new MLContext();
        using var model = ml.BinaryClassification.Trainers.Recurrent(Quick()).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(60, 1)));
        var rows = new[] { new BinaryRow { Tokens = Array.Empty<int>() }, new BinaryRow { Tokens = new[] { 0, 0 } }, new BinaryRow { Tokens = new[] { 2, 3 } } };
        float[] scores = Synthetic.Floats(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");
        Assert.AreEqual(scores[0], scores[1], "all-padding equals empty");
        float bias = model.Model.Head.bias!.data<float>()[0];
        Assert.AreEqual(bias, scores[0], 1e-6f, "an empty sequence pools to zeros, leaving the output bias");
        using var engine = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, model);
        Assert.AreEqual(scores[0], engine.Predict(rows[0]).Score, 1e-6f);
    }

    public sealed class WordRow
    {
        [VectorType]
        public string[] Words { get; set; } = Array.Empty<string>();

        public bool Label { get; set; }
    }

    private static List<WordRow> Words(IEnumerable<BinaryRow> rows) =>
        rows.Select(r => new WordRow { Words = r.Tokens.Select(t => "w" + t).ToArray(), Label = r.Label }).ToList();

    [TestMethod]
    public void KeyTypedTokenColumnTrainsAndRoundTrips()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Words(Synthetic.Order(600, 3)));
        var testRows = Words(Synthetic.Order(200, 4));
        var test = ml.Data.LoadFromEnumerable(testRows);
        var options = Synthetic.SmallOptions(10);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Tokens", "Words").Append(ml.BinaryClassification.Trainers.Recurrent(options));
        using var model = pipeline.Fit(train);
        var recurrent = (RecurrentPredictionTransformer)model.LastTransformer;
        Assert.AreEqual(6 + 1, recurrent.EncoderOptions.VocabularySize, "6 distinct words → keys 1..6, plus 0");
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThan(0.9, metrics.Accuracy);
        PersistenceTests.AssertRoundTrip<WordRow, BinaryPrediction>(ml, model, train, test, testRows.Take(5), p => new[] { p.Score }, "Score");
    }

    private static string GloveFile(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"vectors-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, content);
        return path;
    }

    [TestMethod]
    public void PretrainedEmbeddingsAreMappedThroughTheVocabularyAndCanBeFrozen()
    {
        var ml = new MLContext();
        // word2vec text format with a header; "B" matches "b" case-insensitively; "other" is not in the vocabulary.
        string path = GloveFile("3 6\na 0.1 0.2 0.3 0.4 0.5 0.6\nB -1 -2 -3 -4 -5 -6.5\nother 9 9 9 9 9 9\n");
        try
        {
            var options = Quick(2);
            options.PretrainedEmbeddingsPath = path;
            options.FreezeEmbeddings = true;
            using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(WithVocabulary(ml, Synthetic.Order(60, 1), Vocabulary));
            var weight = model.Model.Encoder.Embedding.weight!;
            CollectionAssert.AreEqual(new[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f }, weight[2].data<float>().ToArray(), "'a' (id 2)");
            CollectionAssert.AreEqual(new[] { -1f, -2f, -3f, -4f, -5f, -6.5f }, weight[3].data<float>().ToArray(), "'b' (id 3)");
            Assert.IsTrue(weight[0].data<float>().ToArray().All(v => v == 0), "<pad> stays zero");
            Assert.IsTrue(weight[4].data<float>().ToArray().Any(v => v != 0), "tokens without a vector start random");

            options.FreezeEmbeddings = false;
            using var tuned = ml.BinaryClassification.Trainers.Recurrent(options).Fit(WithVocabulary(ml, Synthetic.Order(60, 1), Vocabulary));
            CollectionAssert.AreNotEqual(new[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f }, tuned.Model.Encoder.Embedding.weight![2].data<float>().ToArray(), "unfrozen embeddings train");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PretrainedEmbeddingsErrorsAreClear()
    {
        var ml = new MLContext();
        string path = GloveFile("a 0.1 0.2 0.3\nb 1 2 3\n"); // GloVe format, no header, 3 dimensions
        try
        {
            var options = Quick(1);
            options.PretrainedEmbeddingsPath = path;
            var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(WithVocabulary(ml, Synthetic.Order(20, 1), Vocabulary)));
            Assert.AreEqual(nameof(RecurrentTrainerOptions.EmbeddingSize), e.ParamName);
            StringAssert.Contains(e.Message, "3-dimensional");

            options.EmbeddingSize = 3;
            var noVocabulary = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(20, 1))));
            StringAssert.Contains(noVocabulary.Message, "'Tokens'");
            StringAssert.Contains(noVocabulary.Message, "Vocabulary");

            options.PretrainedEmbeddingsPath = path + ".missing";
            Assert.Throws<FileNotFoundException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(WithVocabulary(ml, Synthetic.Order(20, 1), Vocabulary)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
