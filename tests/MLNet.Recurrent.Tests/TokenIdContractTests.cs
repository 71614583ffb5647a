using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// One token-id contract for every reader: the language model reads its column by the same rules as the trainers (key
/// vectors accepted, ids outside the vocabulary read as &lt;unk&gt;, the same schema errors), and <see cref="TokenCodec"/>
/// is the one codec, also when a column only carries a "Vocabulary" annotation.
/// </summary>
[TestClass]
public sealed class TokenIdContractTests
{
    [TestMethod]
    public void TheLanguageModelTrainsOnAKeyVectorColumnAndScoresItLikeTheIdsItStandsFor()
    {
        var ml = new MLContext(seed: 1);
        string[] sentences = ["the cat sat", "the dog sat", "a cat ran", "a dog ran", "the cat ran", "a dog sat"];
        IDataView text = ml.Data.LoadFromEnumerable(sentences.Select(s => new TextRow { Text = s }).ToList());
        var keys = ml.Transforms.Text.TokenizeIntoWords("Words", "Text").Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words")).Fit(text);
        IDataView keyed = keys.Transform(text);
        Assert.IsInstanceOfType<KeyDataViewType>(((VectorDataViewType)keyed.Schema["Tokens"].Type).ItemType);

        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 5;
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(keyed);
        Assert.AreEqual(7, model.VocabularySize, "6 distinct words + key 0 (missing = padding)");

        // The same ids as a plain Int32 column score the same.
        int[][] ids = ReadKeys(keyed, "Tokens");
        IDataView plain = ml.Data.LoadFromEnumerable(ids.Select(r => new TokenRow { Tokens = r }).ToList());
        CollectionAssert.AreEqual(Synthetic.Floats(model.Transform(keyed), "LogLikelihood"), Synthetic.Floats(model.Transform(plain), "LogLikelihood"));
    }

    [TestMethod]
    public void TheLanguageModelReadsIdsOutsideItsVocabularyAsUnknownInTrainingAndScoring()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("ab");
        IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("ab", 6, 16, seed: 1));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 2;
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        int unknown = TokenVocabulary.UnknownId;
        var rows = new[]
        {
            new TokenRow { Tokens = [2, 3, unknown, 2] },
            new TokenRow { Tokens = [2, 3, model.VocabularySize, 2] },
            new TokenRow { Tokens = [2, 3, 1_000_000, 2] },
            new TokenRow { Tokens = [2, 3, -5, 2] },
        };
        float[] scores = Synthetic.Floats(model.Transform(ml.Data.LoadFromEnumerable(rows)), "LogLikelihood");
        Assert.IsTrue(scores.All(s => s == scores[0]), $"every out-of-vocabulary id reads as <unk>: {string.Join(", ", scores)}");

        // Training on such ids is not an error either (it was one for the language model alone).
        IDataView outside = ml.Data.LoadFromEnumerable(new[] { rows[0], rows[1], rows[3], rows[0] });
        using var trained = ml.Transforms.Text.TrainLanguageModel(options).Fit(outside);
        Assert.AreEqual(5, trained.VocabularySize, "largest id + 1 when the column has no annotation (negative ids read as <unk>)");
    }

    [TestMethod]
    public void TheLanguageModelAndTheTrainerReportAWrongColumnTheSameWay()
    {
        var ml = new MLContext();
        IDataView text = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "abc" } });
        var lm = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainLanguageModel(new LanguageModelOptions { InputColumnName = "Text" }).Fit(text));
        var trainer = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { FeatureColumnName = "Text" }).Fit(text));
        StringAssert.Contains(lm.Message, "Schema mismatch for input column 'Text': expected a vector of Int32 token ids");
        StringAssert.Contains(trainer.Message, "Schema mismatch for feature column 'Text': expected a vector of Int32 token ids");
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainLanguageModel(new LanguageModelOptions()).Fit(text));
        StringAssert.Contains(missing.Message, "Could not find input column 'Tokens'");
        StringAssert.Contains(missing.Message, "'Text'", "names the columns the data has");
    }

    [TestMethod]
    public void ACodecRebuiltFromABareCharacterVocabularyEncodesAndDecodesByPosition()
    {
        TokenCodec codec = TokenCodec.FromVocabulary(["<pad>", "<unk>", "<bos>", "a", "b", "😀"]);
        Assert.AreEqual(TokenizerMode.Character, codec.Mode);
        Assert.AreEqual(2, codec.Vocabulary.BeginningOfSequenceId);
        CollectionAssert.AreEqual(new[] { 2, 3, 4, 1, 5 }, codec.Encode("abc😀"));
        Assert.AreEqual("ab<unk>😀", codec.Decode([2, 3, 4, 1, 5, 0]));
        Assert.AreEqual("ab", TokenCodec.FromBytes(codec.ToBytes()).Decode([3, 4]), "it serializes like any codec");
    }

    [TestMethod]
    public void ACodecRebuiltFromABareWordVocabularyKeepsEveryIdInPlace()
    {
        // Index 1 is <unk> whatever its text; a repeated or reserved-looking token still keeps its position.
        TokenCodec codec = TokenCodec.FromVocabulary(["PAD", "UNK", "the", "cat", ",", "<unk>", "sat", "the"]);
        Assert.AreEqual(TokenizerMode.Word, codec.Mode);
        Assert.AreEqual(8, codec.Vocabulary.Count);
        CollectionAssert.AreEqual(new[] { 2, 3, 4, 6, 1 }, codec.Encode("The cat, sat down"), "lower-cased (no upper-case token), punctuation kept");
        Assert.AreEqual("cat, sat", codec.Decode([3, 4, 6]));
        Assert.AreEqual("the", codec.Decode([7]));
    }

    private static int[][] ReadKeys(IDataView view, string column)
    {
        var rows = new List<int[]>();
        var col = view.Schema[column];
        using var cursor = view.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<uint>>(col);
        VBuffer<uint> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value.DenseValues().Select(k => (int)k).ToArray());
        }
        return rows.ToArray();
    }
}
