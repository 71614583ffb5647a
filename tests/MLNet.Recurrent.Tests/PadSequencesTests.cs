using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class PadSequencesTests
{
    private readonly MLContext _ml = new(seed: 1);

    public TestContext TestContext { get; set; } = null!;

    private IDataView Sequences(params int[][] rows) =>
        _ml.Data.LoadFromEnumerable(rows.Select(r => new SequenceRow { Ids = r }).ToList());

    private (int[][] Padded, int[] Lengths) Pad(int[][] rows, int maxLength, PaddingSide padding, TruncationSide truncation, int padValue = 0)
    {
        IDataView data = Sequences(rows);
        var output = _ml.Transforms.Text.PadSequences("Padded", "Ids", maxLength, padding, truncation, padValue).Fit(data).Transform(data);
        return (TestData.ReadIds(output, "Padded"), TestData.ReadInts(output, "PaddedLength"));
    }

    private static readonly int[][] Rows = [[5, 6, 7, 8, 9], [5, 6], []];

    [TestMethod]
    public void PrePaddingPutsPadValuesBeforeTheValues()
    {
        var (padded, lengths) = Pad(Rows, 4, PaddingSide.Pre, TruncationSide.Post);
        TestData.AssertRows([[5, 6, 7, 8], [0, 0, 5, 6], [0, 0, 0, 0]], padded);
        CollectionAssert.AreEqual(new[] { 4, 2, 0 }, lengths);
    }

    [TestMethod]
    public void PostPaddingPutsPadValuesAfterTheValues()
    {
        var (padded, _) = Pad(Rows, 4, PaddingSide.Post, TruncationSide.Post, padValue: -1);
        TestData.AssertRows([[5, 6, 7, 8], [5, 6, -1, -1], [-1, -1, -1, -1]], padded);
    }

    [TestMethod]
    public void PreTruncationKeepsTheLastValuesAndPostTruncationKeepsTheFirst()
    {
        TestData.AssertRows([[7, 8, 9], [0, 5, 6], [0, 0, 0]], Pad(Rows, 3, PaddingSide.Pre, TruncationSide.Pre).Padded);
        TestData.AssertRows([[5, 6, 7], [5, 6, 0], [0, 0, 0]], Pad(Rows, 3, PaddingSide.Post, TruncationSide.Post).Padded);
    }

    [TestMethod]
    public void DefaultsMatchKerasPadSequencesPrePaddingAndPreTruncation()
    {
        IDataView data = Sequences(Rows);
        var model = _ml.Transforms.Text.PadSequences("Padded", "Ids", maxLength: 3).Fit(data);
        Assert.AreEqual(PaddingSide.Pre, model.Padding);
        Assert.AreEqual(TruncationSide.Pre, model.Truncation);
        Assert.AreEqual(0, model.PadValue);
        Assert.AreEqual("PaddedLength", model.LengthColumnName);
        TestData.AssertRows([[7, 8, 9], [0, 5, 6], [0, 0, 0]], TestData.ReadIds(model.Transform(data), "Padded"));
    }

    [TestMethod]
    public void OutputIsAFixedSizeInt32VectorAndALengthColumn()
    {
        IDataView data = Sequences(Rows);
        var schema = _ml.Transforms.Text.PadSequences("Padded", "Ids", 6, lengthColumnName: "Len").Fit(data).GetOutputSchema(data.Schema);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Int32, 6), schema["Padded"].Type);
        Assert.AreEqual(NumberDataViewType.Int32, schema["Len"].Type);

        var shape = _ml.Transforms.Text.PadSequences("Padded", "Ids", 6, lengthColumnName: "Len").GetOutputSchema(TestData.Shape(data.Schema));
        var padded = shape.Single(c => c.Name == "Padded");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, padded.Kind);
        Assert.AreEqual(NumberDataViewType.Int32, shape.Single(c => c.Name == "Len").ItemType);
    }

    [TestMethod]
    public void PaddedColumnKeepsTheTokenizerAnnotations()
    {
        IDataView text = TestData.Texts(_ml, "it is a truth universally acknowledged");
        var pipeline = _ml.Transforms.Text.TokenizeToIds("Ids", "Text", new TokenizerOptions { AddBeginningOfSequence = true })
            .Append(_ml.Transforms.Text.PadSequences("Padded", "Ids", 8));
        var model = pipeline.Fit(text);
        var column = model.Transform(text).Schema["Padded"];
        Assert.IsTrue(TokenAnnotations.TryGetVocabulary(column, out string[]? tokens));
        Assert.AreEqual("<bos>", tokens[2]);
        Assert.IsTrue(TokenAnnotations.TryGetCodec(column, out TokenCodec? codec));
        int[] padded = TestData.ReadIds(model.Transform(text), "Padded")[0];
        Assert.AreEqual("it is a truth universally acknowledged", codec.Decode(padded));
        CollectionAssert.AreEquivalent(new[] { "Vocabulary", "TokenizerModel" },
            pipeline.GetOutputSchema(TestData.Shape(text.Schema)).Single(c => c.Name == "Padded").Annotations.Select(a => a.Name).ToArray());
    }

    [TestMethod]
    public void SavedAndReloadedPipelineGivesIdenticalOutputAndWorksInPredictionEngine()
    {
        string[] texts = ["The family of Dashwood had long been settled in Sussex.", "Norland Park", ""];
        IDataView data = TestData.Texts(_ml, texts);
        var model = _ml.Transforms.Text.TokenizeToIds("Ids", "Text")
            .Append(_ml.Transforms.Text.PadSequences("Padded", "Ids", 5, PaddingSide.Post, TruncationSide.Post, padValue: 0, lengthColumnName: "Length"))
            .Fit(data);
        int[][] expected = TestData.ReadIds(model.Transform(data), "Padded");
        int[] expectedLengths = TestData.ReadInts(model.Transform(data), "Length");
        CollectionAssert.AreEqual(new[] { 5, 2, 0 }, expectedLengths);

        string path = TestData.TempPath(TestContext, "pad.zip");
        ITransformer loaded = TestData.SaveAndLoad(_ml, model, data.Schema, path);
        TestData.AssertRows(expected, TestData.ReadIds(loaded.Transform(data), "Padded"));
        CollectionAssert.AreEqual(expectedLengths, TestData.ReadInts(loaded.Transform(data), "Length"));

        var engine = new MLContext().Model.CreatePredictionEngine<TextRow, PaddedRow>(loaded);
        for (int i = 0; i < texts.Length; i++)
        {
            PaddedRow row = engine.Predict(new TextRow { Text = texts[i] });
            CollectionAssert.AreEqual(expected[i], row.Padded, $"row {i}");
            Assert.AreEqual(expectedLengths[i], row.Length);
        }
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-3)]
    public void MaxLengthBelowOneIsRejectedNamingTheParameterAndRange(int maxLength)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => _ml.Transforms.Text.PadSequences("Padded", "Ids", maxLength));
        Assert.AreEqual("maxLength", e.ParamName);
        StringAssert.Contains(e.Message, "allowed range: 1 to");
    }

    [TestMethod]
    public void UndefinedSidesAndClashingLengthColumnAreRejectedByName()
    {
        Assert.AreEqual("padding", Assert.ThrowsExactly<ArgumentException>(() => _ml.Transforms.Text.PadSequences("P", "Ids", 3, (PaddingSide)7)).ParamName);
        Assert.AreEqual("truncation", Assert.ThrowsExactly<ArgumentException>(() => _ml.Transforms.Text.PadSequences("P", "Ids", 3, truncation: (TruncationSide)7)).ParamName);
        Assert.AreEqual("lengthColumnName", Assert.ThrowsExactly<ArgumentException>(() => _ml.Transforms.Text.PadSequences("P", "Ids", 3, lengthColumnName: "P")).ParamName);
    }

    [TestMethod]
    public void TextInputColumnIsReportedWithExpectedAndActualType()
    {
        IDataView text = TestData.Texts(_ml, "a");
        var estimator = _ml.Transforms.Text.PadSequences("Padded", "Text", 4);
        var fit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(text));
        StringAssert.Contains(fit.Message, "Schema mismatch for input column 'Text': expected Vector<Int32>, got String");
        var shape = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TestData.Shape(text.Schema)));
        StringAssert.Contains(shape.Message, "input column 'Text': expected Vector<Int32>, got String");
    }

    [TestMethod]
    public void MissingInputColumnIsReportedAtFitAndByTheTransformer()
    {
        IDataView data = Sequences(Rows);
        var model = _ml.Transforms.Text.PadSequences("Padded", "Ids", 4).Fit(data);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(TestData.Texts(_ml, "a")));
        StringAssert.Contains(e.Message, "'Ids'");
        StringAssert.Contains(e.Message, "expected Vector<Int32>");
        var fit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Transforms.Text.PadSequences("P", "Tokens", 4).Fit(data));
        StringAssert.Contains(fit.Message, "'Tokens'");
    }

    [TestMethod]
    public void CorruptedSettingsFailWithInvalidDataExceptionNamingTheComponent()
    {
        IDataView data = Sequences(Rows);
        const int marker = 0x0A0B0C0D; // a maxLength whose bytes are easy to find in Model.key
        var model = _ml.Transforms.Text.PadSequences("Padded", "Ids", marker).Fit(data);
        string path = TestData.TempPath(TestContext, "pad-corrupt.zip");
        _ml.Model.Save(model, data.Schema, path);
        TestData.DamageEntry(path, "Model.key", bytes =>
        {
            int at = bytes.AsSpan().IndexOf(BitConverter.GetBytes(marker));
            Assert.IsTrue(at > 0, "maxLength not found in Model.key");
            BitConverter.GetBytes(-1).CopyTo(bytes, at);
            return bytes;
        });
        // ML.NET invokes loaders by reflection, so our exception arrives inside a TargetInvocationException.
        var e = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        var cause = TestData.FindInChain<InvalidDataException>(e);
        StringAssert.Contains(cause.Message, "PadSequences");
        StringAssert.Contains(cause.Message, "maximum length -1");
    }

    private sealed class SequenceRow
    {
        public int[] Ids { get; set; } = [];
    }

    private sealed class PaddedRow
    {
        public int[] Padded { get; set; } = [];

        public int Length { get; set; }
    }
}
