namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class SpanTokenCounterTests
{
    [TestMethod]
    public void CountsEqualADictionarysAcrossGrowthAndInFirstSeenOrder()
    {
        var rng = new Random(11);
        var counter = new SpanTokenCounter();
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        var order = new List<string>();
        string text = string.Join(' ', Enumerable.Range(0, 50_000).Select(_ => "w" + rng.Next(0, 6_000).ToString("x")));
        foreach (string token in text.Split(' '))
        {
            // Count through a span over the shared text, as the vocabulary learner does.
            int start = text.IndexOf(token, StringComparison.Ordinal);
            counter.Add(text.AsSpan(start, token.Length));
            if (!expected.TryGetValue(token, out long count))
                order.Add(token);
            expected[token] = count + 1;
        }
        counter.Add(ReadOnlySpan<char>.Empty);
        expected[""] = 1;
        order.Add("");

        var entries = counter.Entries().ToList();
        Assert.AreEqual(expected.Count, counter.Count);
        CollectionAssert.AreEqual(order, entries.Select(e => e.Token).ToList());
        foreach (var (token, count) in entries)
            Assert.AreEqual(expected[token], count, token);
    }
}
