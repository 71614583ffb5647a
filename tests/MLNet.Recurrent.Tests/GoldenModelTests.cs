using System.Runtime.CompilerServices;
using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// A model zip written by the current persistence format is committed (golden/tokenize-pad-v1.zip) and must keep
/// loading and giving the outputs recorded below, so a format change cannot slip by unnoticed.
/// Regenerate only together with a deliberate format-version bump (and keep the old zip as a read-back test):
/// <c>MLNET_RECURRENT_WRITE_GOLDEN=1 dotnet test tests/MLNet.Recurrent.Tests -c Release --filter FullyQualifiedName~GoldenModelTests</c>
/// </summary>
[TestClass]
public sealed class GoldenModelTests
{
    private const string GoldenFile = "tokenize-pad-v1.zip";

    private static readonly string[] Training =
    [
        "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
        "However little known the feelings or views of such a man may be on his first entering a neighbourhood,",
        "this truth is so well fixed in the minds of the surrounding families.",
    ];

    private static readonly string[] Probe = ["A single man of good fortune!", "", "Unknown words: zebra, quokka."];

    // Recorded from the pipeline below when the golden zip was written.
    private static readonly int[][] ExpectedWords = [[2, 5, 1, 1, 1, 3], [2, 3], [2, 1, 6, 1, 9, 3]];
    private static readonly int[][] ExpectedChars =
    [
        [1, 2, 7, 4, 5, 1, 1, 3, 2, 1, 9, 5, 2, 6, 1, 2, 1, 6, 6, 1, 2, 1, 6, 11, 8, 1, 5, 3, 1],
        [],
        [1, 5, 1, 5, 6, 1, 5, 2, 1, 6, 11, 1, 7, 1, 2, 1, 3, 1, 11, 9, 1, 2, 1, 1, 6, 1, 1, 9, 1],
    ];
    private static readonly int[][] ExpectedPieces = [[2, 4, 5, 9, 6, 2], [], [2, 2, 2, 2]];
    private static readonly int[][] ExpectedPadded = [[2, 5, 1, 1, 1, 3, 0, 0], [2, 3, 0, 0, 0, 0, 0, 0], [2, 1, 6, 1, 9, 3, 0, 0]];
    private static readonly int[] ExpectedLengths = [6, 2, 6];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void CommittedGoldenModelLoadsAndGivesTheRecordedOutput()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "golden", GoldenFile);
        Assert.IsTrue(File.Exists(path), $"golden model missing: {path}");
        var ml = new MLContext(seed: 1);
        ITransformer model = ml.Model.Load(path, out _);
        AssertRecorded(model.Transform(TestData.Texts(ml, Probe)));
    }

    [TestMethod]
    public void CurrentBuildFitsTheGoldenPipelineToTheRecordedOutput()
    {
        var ml = new MLContext(seed: 1);
        IDataView training = TestData.Texts(ml, Training);
        string vocab = TestData.TempPath(TestContext, "golden-wordpiece.txt");
        File.WriteAllLines(vocab, ["[UNK]", "a", "single", "man", "good", "fort", "##une", "of", "!"]);
        ITransformer model = ml.Transforms.Text.TokenizeToIds("Words", "Text", new TokenizerOptions
            {
                KeepPunctuation = true,
                MinimumFrequency = 2,
                AddBeginningOfSequence = true,
                AddEndOfSequence = true,
                MaximumLength = 6,
                Truncation = TruncationSide.Pre,
            })
            .Append(ml.Transforms.Text.TokenizeToIds("Chars", "Text", new TokenizerOptions { Mode = TokenizerMode.Character, MaximumVocabularySize = 12 }))
            .Append(ml.Transforms.Text.TokenizeToIds("Pieces", "Text", new TokenizerOptions { Mode = TokenizerMode.Pretrained, Pretrained = PretrainedTokenizer.WordPiece(vocab) }))
            .Append(ml.Transforms.Text.PadSequences("Padded", "Words", 8, PaddingSide.Post, TruncationSide.Post, padValue: 0))
            .Fit(training);
        File.Delete(vocab);

        IDataView output = model.Transform(TestData.Texts(ml, Probe));
        if (Environment.GetEnvironmentVariable("MLNET_RECURRENT_WRITE_GOLDEN") == "1")
        {
            string target = Path.Combine(SourceDirectory(), "golden", GoldenFile);
            ml.Model.Save(model, training.Schema, target);
            TestContext.WriteLine($"wrote {target}; record these outputs in {nameof(GoldenModelTests)}:");
            foreach (string column in new[] { "Words", "Chars", "Pieces", "Padded" })
                TestContext.WriteLine($"{column}: [{string.Join(", ", TestData.ReadIds(output, column).Select(r => "[" + string.Join(", ", r) + "]"))}]");
            TestContext.WriteLine($"PaddedLength: [{string.Join(", ", TestData.ReadInts(output, "PaddedLength"))}]");
        }
        AssertRecorded(output);
    }

    private static void AssertRecorded(IDataView output)
    {
        TestData.AssertRows(ExpectedWords, TestData.ReadIds(output, "Words"));
        TestData.AssertRows(ExpectedChars, TestData.ReadIds(output, "Chars"));
        TestData.AssertRows(ExpectedPieces, TestData.ReadIds(output, "Pieces"));
        TestData.AssertRows(ExpectedPadded, TestData.ReadIds(output, "Padded"));
        CollectionAssert.AreEqual(ExpectedLengths, TestData.ReadInts(output, "PaddedLength"));
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
