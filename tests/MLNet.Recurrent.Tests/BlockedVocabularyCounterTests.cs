using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>The multi-threaded vocabulary count over blocks of rows read from one cursor.</summary>
[TestClass]
public sealed class BlockedVocabularyCounterTests
{
    private static readonly MLContext Ml = new(seed: 1);

    [TestMethod]
    [DataRow(1, 64)]
    [DataRow(3, 64)]
    [DataRow(2, 7)]      // most rows longer than a block: each gets a block of its own
    [DataRow(4, 1 << 16)] // everything in one block
    public void CountsEveryRowOnceWhateverTheBlocksAndWorkers(int workers, int blockChars)
    {
        var rng = new Random(workers * 31 + blockChars);
        string[] words = ["the", "The", "a", "don't", "éclair", "x1", "😀", "Dashwood's"];
        string[] texts = Enumerable.Range(0, 500)
            .Select(i => i % 50 == 0 ? "" : string.Join(rng.Next(3) == 0 ? ", " : " ", Enumerable.Range(0, rng.Next(1, 25)).Select(_ => words[rng.Next(words.Length)])))
            .ToArray();
        var reference = new VocabularyLearner(TokenizerMode.Word, lowercase: true, keepPunctuation: true);
        foreach (string text in texts)
            reference.Add(text);

        IDataView data = TestData.Texts(Ml, texts);
        using DataViewRowCursor cursor = data.GetRowCursor(data.Schema);
        VocabularyLearner counted = BlockedVocabularyCounter.Count(cursor, data.Schema["Text"], workers,
            () => new VocabularyLearner(TokenizerMode.Word, lowercase: true, keepPunctuation: true), blockChars);

        CollectionAssert.AreEqual(reference.SelectTokens(1, int.MaxValue), counted.SelectTokens(1, int.MaxValue));
        CollectionAssert.AreEqual(reference.SelectTokens(40, int.MaxValue), counted.SelectTokens(40, int.MaxValue), "counts differ");
    }

    [TestMethod]
    public void AWorkersExceptionReachesTheCallerAndNothingHangs()
    {
        string[] texts = Enumerable.Range(0, 2000).Select(i => "row " + i).ToArray();
        IDataView data = TestData.Texts(Ml, texts);
        using DataViewRowCursor cursor = data.GetRowCursor(data.Schema);
        int created = 0;
        var task = Task.Run(() => BlockedVocabularyCounter.Count(cursor, data.Schema["Text"], 2, () =>
            Interlocked.Increment(ref created) == 2 ? throw new InvalidOperationException("worker broke") : new VocabularyLearner(TokenizerMode.Word, true, false), blockChars: 16));
        var e = Assert.ThrowsExactly<AggregateException>(() => task.Wait(TimeSpan.FromSeconds(30)), "the count hung or did not fail");
        Assert.AreEqual("worker broke", e.InnerException!.Message);
    }

    [TestMethod]
    public void TheSourcesExceptionReachesTheCallerAndNothingHangs()
    {
        IDataView data = Ml.Data.LoadFromEnumerable(Rows());
        using DataViewRowCursor cursor = data.GetRowCursor(data.Schema);
        var task = Task.Run(() => BlockedVocabularyCounter.Count(cursor, data.Schema["Text"], 2, () => new VocabularyLearner(TokenizerMode.Word, true, false), blockChars: 16));
        var e = Assert.ThrowsExactly<AggregateException>(() => task.Wait(TimeSpan.FromSeconds(30)));
        Assert.AreEqual("source broke at row 300", e.InnerException!.Message);

        static IEnumerable<TextRow> Rows()
        {
            for (int i = 0; ; i++)
            {
                if (i == 300)
                    throw new IOException("source broke at row 300");
                yield return new TextRow { Text = "row " + i };
            }
        }
    }

    [TestMethod]
    public void VocabularyOrderIsCountDescendingThenOrdinalForAwkwardTokens()
    {
        // Shared prefixes longer than the packed 4 chars, embedded NULs, surrogates, case: the merge sort with packed
        // prefixes must agree with a plain ordinal ordering.
        var rng = new Random(3);
        string[] pieces = ["a", "ab", "abcd", "abcde", "abcdX", "\0", "a\0", "Z", "z", "😀", "\uFFFF", "é", "e\u0301"];
        var items = new List<VocabularyLearner.Candidate>();
        var seen = new HashSet<string>();
        while (items.Count < 2000) // of the 30,000-odd distinct strings of 1-4 pieces
        {
            string token = string.Concat(Enumerable.Range(0, rng.Next(1, 5)).Select(_ => pieces[rng.Next(pieces.Length)]));
            if (seen.Add(token))
                items.Add(new VocabularyLearner.Candidate(token, rng.Next(1, 6)));
        }
        VocabularyLearner.Candidate[] sorted = items.ToArray();
        VocabularyLearner.SortByCountThenOrdinal(sorted);
        string[] expected = items.OrderByDescending(c => c.Count).ThenBy(c => c.Token, StringComparer.Ordinal).Select(c => c.Token).ToArray();
        CollectionAssert.AreEqual(expected, sorted.Select(c => c.Token).ToArray());
    }
}
