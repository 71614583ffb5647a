using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed partial class TokenizeToIdsTests
{
    private readonly MLContext _ml = new(seed: 1);

    public TestContext TestContext { get; set; } = null!;

    private TokenizeToIdsTransformer Fit(TokenizerOptions? options, params string?[] texts) =>
        _ml.Transforms.Text.TokenizeToIds("Ids", "Text", options).Fit(TestData.Texts(_ml, texts));

    private static string[] Tokens(TokenizeToIdsTransformer t, int[] ids) => ids.Select(t.Vocabulary.GetToken).ToArray();

    [TestMethod]
    public void WordModeLowercasesDropsPunctuationAndSplitsOnWhitespaceAndPunctuation()
    {
        const string text = "The Dashwoods' estate--large, \"settled\"\tin   Sussex! Don't stop.";
        var model = Fit(null, text);
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, text)))[0];
        CollectionAssert.AreEqual(new[] { "the", "dashwoods", "estate", "large", "settled", "in", "sussex", "don't", "stop" }, Tokens(model, ids));
    }

    [TestMethod]
    public void WordModeKeepPunctuationEmitsEachMarkAsItsOwnToken()
    {
        const string text = "Well, Mr. Dashwood's (late) uncle!";
        var model = Fit(new TokenizerOptions { KeepPunctuation = true }, text);
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, text)))[0];
        CollectionAssert.AreEqual(new[] { "well", ",", "mr", ".", "dashwood's", "(", "late", ")", "uncle", "!" }, Tokens(model, ids));
    }

    [TestMethod]
    public void WordModeWithLowercaseOffKeepsCaseAndTreatsCasesAsDifferentTokens()
    {
        var model = Fit(new TokenizerOptions { Lowercase = false }, "Elinor elinor ELINOR");
        Assert.AreEqual(5, model.Vocabulary.Count);
        CollectionAssert.AreEquivalent(new[] { "ELINOR", "Elinor", "elinor" }, model.Vocabulary.Skip(2).ToArray());
    }

    [TestMethod]
    public void VocabularyIsReservedIdsThenFrequencyDescendingThenOrdinal()
    {
        var model = Fit(new TokenizerOptions { Lowercase = false }, "b a c a", "B a b d", "c");
        // a:3, b:2, c:2, B:1, d:1 -> ties in ordinal order ("b" < "c"; "B" < "d")
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "a", "b", "c", "B", "d" }, model.Vocabulary.ToArray());
        Assert.AreEqual(0, TokenVocabulary.PaddingId);
        Assert.AreEqual(1, TokenVocabulary.UnknownId);
        Assert.IsTrue(model.Vocabulary.TryGetId("c", out int c));
        Assert.AreEqual(4, c);
        Assert.AreEqual("d", model.Vocabulary[6]);
        Assert.IsNull(model.Vocabulary.BeginningOfSequenceId);
    }

    [TestMethod]
    public void VocabularyLearnedOverManyRowsEqualsAStraightforwardCount()
    {
        // Enough rows for the fit to split them over threads (it does on machines with more than one core): the counts
        // of every share must add up to exactly what one pass over all rows gives.
        var rng = new Random(9);
        string[] words = Enumerable.Range(0, 3000).Select(i => "w" + (i * 7919 % 10007).ToString("x")).ToArray();
        string[] texts = Enumerable.Range(0, 6000)
            .Select(_ => string.Join(' ', Enumerable.Range(0, rng.Next(0, 30)).Select(_ => words[(int)Math.Min(words.Length - 1, Math.Abs(rng.NextDouble() * rng.NextDouble()) * words.Length)])))
            .ToArray();
        var model = Fit(new TokenizerOptions { MinimumFrequency = 3, MaximumVocabularySize = 1500 }, texts);

        var counts = texts.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)).GroupBy(w => w).Select(g => (Token: g.Key, Count: g.Count()));
        string[] expected = counts.Where(c => c.Count >= 3).OrderByDescending(c => c.Count).ThenBy(c => c.Token, StringComparer.Ordinal)
            .Take(1500 - 2).Select(c => c.Token).Prepend("<unk>").Prepend("<pad>").ToArray();
        CollectionAssert.AreEqual(expected, model.Vocabulary.ToArray());
    }

    [TestMethod]
    public void VocabularyOrderDoesNotDependOnRowOrder()
    {
        string[] rows = ["x y z", "z y", "q z", "w"];
        var forward = Fit(null, rows);
        var backward = Fit(null, rows.Reverse().ToArray());
        CollectionAssert.AreEqual(forward.Vocabulary.ToArray(), backward.Vocabulary.ToArray());
    }

    [TestMethod]
    public void MinimumFrequencyDropsRareTokensWhichThenMapToUnknown()
    {
        var model = Fit(new TokenizerOptions { MinimumFrequency = 2 }, "a b a c", "b d");
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "a", "b" }, model.Vocabulary.ToArray());
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, "a c b zebra")))[0];
        CollectionAssert.AreEqual(new[] { 2, TokenVocabulary.UnknownId, 3, TokenVocabulary.UnknownId }, ids);
    }

    [TestMethod]
    public void MaximumVocabularySizeIncludesReservedIdsAndKeepsTheMostFrequent()
    {
        var model = Fit(new TokenizerOptions { MaximumVocabularySize = 5, AddBeginningOfSequence = true }, "a a a b b c d");
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "<bos>", "a", "b" }, model.Vocabulary.ToArray());
    }

    [TestMethod]
    public void BeginAndEndMarkersWrapEveryRowIncludingEmptyOnes()
    {
        var model = Fit(new TokenizerOptions { AddBeginningOfSequence = true, AddEndOfSequence = true }, "hello world");
        Assert.AreEqual(2, model.Vocabulary.BeginningOfSequenceId);
        Assert.AreEqual(3, model.Vocabulary.EndOfSequenceId);
        Assert.AreEqual(4, model.Vocabulary.SpecialTokenCount);
        var rows = TestData.ReadIds(model.Transform(TestData.Texts(_ml, "world hello", "", null)));
        TestData.AssertRows([[2, 5, 4, 3], [2, 3], [2, 3]], rows);
    }

    [TestMethod]
    public void NullEmptyAndPunctuationOnlyTextGiveEmptySequences()
    {
        var model = Fit(null, "some words");
        var rows = TestData.ReadIds(model.Transform(TestData.Texts(_ml, null, "", "  ...!  ")));
        TestData.AssertRows([[], [], []], rows);
    }

    [TestMethod]
    public void EndMarkerAloneTakesIdTwo()
    {
        var model = Fit(new TokenizerOptions { AddEndOfSequence = true }, "x");
        Assert.IsNull(model.Vocabulary.BeginningOfSequenceId);
        Assert.AreEqual(2, model.Vocabulary.EndOfSequenceId);
        CollectionAssert.AreEqual(new[] { 3, 2 }, TestData.ReadIds(model.Transform(TestData.Texts(_ml, "x")))[0]);
    }

    [TestMethod]
    public void CharacterModeMakesEveryCharacterATokenKeepingCaseSpacesAndSurrogatePairs()
    {
        const string text = "Ab a😀";
        var model = Fit(new TokenizerOptions { Mode = TokenizerMode.Character }, text);
        // 'a' occurs once as 'a' (case kept by default), so every char has count 1: ordinal order.
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", " ", "A", "a", "b", "😀" }, model.Vocabulary.ToArray());
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, "ba😀 Z")))[0];
        CollectionAssert.AreEqual(new[] { 5, 4, 6, 2, TokenVocabulary.UnknownId }, ids);
    }

    [TestMethod]
    public void CharacterModeCanLowercase()
    {
        var model = Fit(new TokenizerOptions { Mode = TokenizerMode.Character, Lowercase = true }, "AaB");
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "a", "b" }, model.Vocabulary.ToArray());
    }

    [TestMethod]
    public void FixedVocabularyListGivesIdsInListOrderAndSkipsRepeatsAndReservedTexts()
    {
        var options = new TokenizerOptions { Vocabulary = ["sense", "<unk>", "and", "sense", "sensibility"] };
        var model = Fit(options, "completely different training text");
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "sense", "and", "sensibility" }, model.Vocabulary.ToArray());
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, "Sense and Sensibility and pride")))[0];
        CollectionAssert.AreEqual(new[] { 2, 3, 4, 3, 1 }, ids);
    }

    [TestMethod]
    public void FixedVocabularyFileIgnoresTextAfterTabAndEmptyLines()
    {
        string path = TestData.TempPath(TestContext, "vocab.tsv");
        File.WriteAllLines(path, ["emma\t12", "", "knightley\t7", "harriet"]);
        var model = Fit(new TokenizerOptions { VocabularyFile = path }, "x");
        File.Delete(path);
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "emma", "knightley", "harriet" }, model.Vocabulary.ToArray());
    }

    [TestMethod]
    public void FixedVocabularyDoesNotReadTheData()
    {
        var input = new CountingDataView(TestData.Texts(_ml, "a b"));
        _ml.Transforms.Text.TokenizeToIds("Ids", "Text", new TokenizerOptions { Vocabulary = ["a"] }).Fit(input);
        Assert.AreEqual(0, input.CursorCount);
    }

    [TestMethod]
    public void FitLearnsTheVocabularyInOneCursorPassOverOnlyTheTextColumn()
    {
        var input = new CountingDataView(_ml.Data.LoadFromEnumerable(new[] { new LabeledText { Label = 1, Text = "a b" }, new LabeledText { Label = 2, Text = "b" } }));
        var model = _ml.Transforms.Text.TokenizeToIds("Ids", "Text").Fit(input);
        Assert.AreEqual(1, input.CursorCount);
        CollectionAssert.AreEqual(new[] { "Text" }, input.LastActiveColumns);
        Assert.AreEqual(4, model.Vocabulary.Count);
    }

    [TestMethod]
    [DataRow(TruncationSide.Post, new[] { 2, 4, 5, 3 }, DisplayName = "Post keeps the first tokens")]
    [DataRow(TruncationSide.Pre, new[] { 2, 7, 8, 3 }, DisplayName = "Pre keeps the last tokens")]
    public void MaximumLengthTruncatesTheContentAndKeepsTheMarkers(TruncationSide side, int[] expected)
    {
        var options = new TokenizerOptions
        {
            Vocabulary = ["one", "two", "three", "four", "five"],
            AddBeginningOfSequence = true,
            AddEndOfSequence = true,
            MaximumLength = 4,
            Truncation = side,
        };
        var model = Fit(options, "x");
        var rows = TestData.ReadIds(model.Transform(TestData.Texts(_ml, "one two three four five", "one")));
        TestData.AssertRows([expected, [2, 4, 3]], rows);
    }

    [TestMethod]
    public void DefaultTruncationKeepsTheFirstTokens()
    {
        var model = Fit(new TokenizerOptions { MaximumLength = 2 }, "a b c");
        Assert.AreEqual(TruncationSide.Post, model.Truncation);
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, "c b a")))[0];
        CollectionAssert.AreEqual(new[] { "c", "b" }, Tokens(model, ids));
    }

    [TestMethod]
    public void OutputIsAVariableInt32VectorWithVocabularyAndTokenizerModelAnnotations()
    {
        var model = Fit(new TokenizerOptions { AddEndOfSequence = true }, "to be or not to be");
        var column = model.GetOutputSchema(TestData.Texts(_ml).Schema)["Ids"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Int32), column.Type);
        Assert.IsTrue(TokenAnnotations.TryGetVocabulary(column, out string[]? tokens));
        CollectionAssert.AreEqual(model.Vocabulary.ToArray(), tokens);
        Assert.IsTrue(TokenAnnotations.TryGetCodec(column, out TokenCodec? codec));
        CollectionAssert.AreEqual(model.Codec.Encode("not to be"), codec.Encode("not to be"));
        Assert.AreEqual("not to be", codec.Decode(codec.Encode("Not to BE!")));

        var shape = _ml.Transforms.Text.TokenizeToIds("Ids", "Text").GetOutputSchema(TestData.Shape(TestData.Texts(_ml).Schema));
        var ids = shape.Single(c => c.Name == "Ids");
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, ids.Kind);
        Assert.AreEqual(NumberDataViewType.Int32, ids.ItemType);
        CollectionAssert.AreEquivalent(new[] { "Vocabulary", "TokenizerModel" }, ids.Annotations.Select(a => a.Name).ToArray());
    }

    [TestMethod]
    public void InputColumnDefaultsToTheOutputColumnName()
    {
        var estimator = _ml.Transforms.Text.TokenizeToIds("Text");
        Assert.AreEqual("Text", estimator.InputColumnName);
        var output = estimator.Fit(TestData.Texts(_ml, "a")).Transform(TestData.Texts(_ml, "a"));
        Assert.IsInstanceOfType<VectorDataViewType>(output.Schema["Text"].Type);
    }

    private sealed class LabeledText
    {
        public int Label { get; set; }

        public string Text { get; set; } = "";
    }
}
