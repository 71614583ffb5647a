using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

public sealed partial class TokenizeToIdsTests
{
    private static readonly string[] Sample =
    [
        "The family of Dashwood had long been settled in Sussex.",
        "Their estate was large, and their residence was at Norland Park.",
        "",
        null!,
        "An unseen word: zeitgeist!",
    ];

    [TestMethod]
    [DataRow(TokenizerMode.Word, DisplayName = "Word")]
    [DataRow(TokenizerMode.Character, DisplayName = "Character")]
    public void SavedAndReloadedModelGivesIdenticalOutputAndWorksInPredictionEngine(TokenizerMode mode)
    {
        var options = new TokenizerOptions { Mode = mode, AddBeginningOfSequence = true, MinimumFrequency = 1, MaximumLength = 12, Truncation = TruncationSide.Pre };
        IDataView data = TestData.Texts(_ml, Sample);
        var model = _ml.Transforms.Text.TokenizeToIds("Ids", "Text", options).Fit(data);
        int[][] expected = TestData.ReadIds(model.Transform(data));

        string path = TestData.TempPath(TestContext, "tokenizer.zip");
        ITransformer loaded = TestData.SaveAndLoad(_ml, model, data.Schema, path);

        var reloaded = (TokenizeToIdsTransformer)loaded;
        Assert.AreEqual(12, reloaded.MaximumLength);
        Assert.AreEqual(TruncationSide.Pre, reloaded.Truncation);
        Assert.AreEqual(mode, reloaded.Mode);
        CollectionAssert.AreEqual(model.Vocabulary.ToArray(), reloaded.Vocabulary.ToArray());
        TestData.AssertRows(expected, TestData.ReadIds(loaded.Transform(data)));

        var engine = new MLContext().Model.CreatePredictionEngine<TextRow, IdsRow>(loaded);
        for (int i = 0; i < Sample.Length; i++)
            CollectionAssert.AreEqual(expected[i], engine.Predict(new TextRow { Text = Sample[i] }).Ids, $"row {i}");
    }

    [TestMethod]
    public void ModelWithFixedVocabularyFileLoadsAfterTheFileIsDeleted()
    {
        string vocab = TestData.TempPath(TestContext, "vocab.txt");
        File.WriteAllLines(vocab, ["elinor", "marianne"]);
        IDataView data = TestData.Texts(_ml, "Elinor and Marianne");
        var model = _ml.Transforms.Text.TokenizeToIds("Ids", "Text", new TokenizerOptions { VocabularyFile = vocab }).Fit(data);
        string path = TestData.TempPath(TestContext, "fixed.zip");
        _ml.Model.Save(model, data.Schema, path);
        File.Delete(vocab);

        ITransformer loaded = new MLContext().Model.Load(path, out _);
        TestData.AssertRows([[2, 1, 3]], TestData.ReadIds(loaded.Transform(data)));
    }

    [TestMethod]
    public void CorruptedCodecStreamFailsWithInvalidDataExceptionNamingTheComponent()
    {
        IDataView data = TestData.Texts(_ml, Sample);
        var model = _ml.Transforms.Text.TokenizeToIds("Ids", "Text").Fit(data);
        string path = TestData.TempPath(TestContext, "corrupt.zip");
        _ml.Model.Save(model, data.Schema, path);
        TestData.DamageEntry(path, "TokenCodec.bin", bytes => bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        // ML.NET invokes loaders by reflection, so our exception arrives inside a TargetInvocationException.
        var cause = TestData.FindInChain<InvalidDataException>(e);
        StringAssert.Contains(cause.Message, "TokenizeToIds");
        StringAssert.Contains(cause.Message, "truncated or corrupted");
    }

    [TestMethod]
    public void ModelFromANewerFormatVersionIsRejectedNamingTheComponent()
    {
        IDataView data = TestData.Texts(_ml, Sample);
        var model = _ml.Transforms.Text.TokenizeToIds("Ids", "Text").Fit(data);
        string path = TestData.TempPath(TestContext, "newer.zip");
        _ml.Model.Save(model, data.Schema, path);
        TestData.DamageEntry(path, "Model.key", bytes =>
        {
            BitConverter.GetBytes(0x00020001u).CopyTo(bytes, 0x48); // ModelHeader.ModelVerWritten
            BitConverter.GetBytes(0x00020001u).CopyTo(bytes, 0x4C); // ModelHeader.ModelVerReadable
            return bytes;
        });
        var e = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        var cause = TestData.FindInChain<FormatException>(e);
        StringAssert.Contains(cause.Message, "MLNetRecTokenizeToIds");
        StringAssert.Contains(cause.Message, "too new");
    }

    [TestMethod]
    public void TruncatedModelZipFailsWithFormatException()
    {
        IDataView data = TestData.Texts(_ml, Sample);
        var model = _ml.Transforms.Text.TokenizeToIds("Ids", "Text").Fit(data);
        string path = TestData.TempPath(TestContext, "truncated.zip");
        _ml.Model.Save(model, data.Schema, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);

        var e = Assert.ThrowsExactly<FormatException>(() => new MLContext().Model.Load(path, out _));
        StringAssert.Contains(e.Message, "zip");
    }

    [TestMethod]
    public void MissingInputColumnIsReportedAtFitWithColumnAndExpectedType()
    {
        var estimator = _ml.Transforms.Text.TokenizeToIds("Ids", "Review");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(TestData.Texts(_ml, "a")));
        StringAssert.Contains(e.Message, "'Review'");
        StringAssert.Contains(e.Message, "expected String");
        StringAssert.Contains(e.Message, "'Text'");

        var shapeError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TestData.Shape(TestData.Texts(_ml).Schema)));
        StringAssert.Contains(shapeError.Message, "'Review'");
    }

    [TestMethod]
    public void WrongInputTypeIsReportedAtFitAndGetOutputSchemaWithExpectedAndActualType()
    {
        IDataView numbers = _ml.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1f } });
        var estimator = _ml.Transforms.Text.TokenizeToIds("Ids", "Text");
        var fit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(numbers));
        StringAssert.Contains(fit.Message, "Schema mismatch for input column 'Text': expected String, got Single");

        var shape = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TestData.Shape(numbers.Schema)));
        StringAssert.Contains(shape.Message, "Schema mismatch for input column 'Text': expected String, got Single");

        var fitted = estimator.Fit(TestData.Texts(_ml, "a"));
        var transform = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => fitted.GetOutputSchema(numbers.Schema));
        StringAssert.Contains(transform.Message, "expected String, got Single");
    }

    [TestMethod]
    [DataRow("MinimumFrequency", "1 to", DisplayName = "MinimumFrequency 0")]
    [DataRow("MaximumVocabularySize", "3 to", DisplayName = "MaximumVocabularySize 2")]
    [DataRow("MaximumLength", "3 to", DisplayName = "MaximumLength 2 with both markers")]
    [DataRow("KeepPunctuation", "Word", DisplayName = "KeepPunctuation in Character mode")]
    [DataRow("VocabularyFile", "does not exist", DisplayName = "missing VocabularyFile")]
    [DataRow("Pretrained", "Mode = Pretrained", DisplayName = "Pretrained mode without tokenizer")]
    [DataRow("Mode", "Word, Character, Pretrained", DisplayName = "undefined Mode")]
    public void InvalidOptionsAreRejectedAtConstructionNamingTheOptionAndAllowedValues(string option, string allowed)
    {
        TokenizerOptions options = option switch
        {
            "MinimumFrequency" => new() { MinimumFrequency = 0 },
            "MaximumVocabularySize" => new() { MaximumVocabularySize = 2 },
            "MaximumLength" => new() { MaximumLength = 2, AddBeginningOfSequence = true, AddEndOfSequence = true },
            "KeepPunctuation" => new() { Mode = TokenizerMode.Character, KeepPunctuation = true },
            "VocabularyFile" => new() { VocabularyFile = "/no/such/vocab.txt" },
            "Pretrained" => new() { Mode = TokenizerMode.Pretrained },
            _ => new() { Mode = (TokenizerMode)42 },
        };
        var e = Assert.ThrowsExactly<ArgumentException>(() => _ml.Transforms.Text.TokenizeToIds("Ids", "Text", options));
        StringAssert.Contains(e.Message, "TokenizerOptions." + option);
        StringAssert.Contains(e.Message, allowed);
    }

    [TestMethod]
    public void OptionsAreCopiedSoLaterChangesDoNotAffectTheEstimator()
    {
        var options = new TokenizerOptions { MaximumLength = 1 };
        var estimator = _ml.Transforms.Text.TokenizeToIds("Ids", "Text", options);
        options.MaximumLength = 100;
        Assert.AreEqual(1, estimator.Fit(TestData.Texts(_ml, "a b")).MaximumLength);
    }

    private sealed class NumberRow
    {
        public float Text { get; set; }
    }
}
