namespace MLNet.Recurrent.Examples.Tests;

[TestClass]
public sealed class TextCorpusTests
{
    [TestMethod]
    public void Load_OfANewsgroupsFolderReadsEveryPostAsADocumentWithoutItsHeaders()
    {
        var (train, heldOut, documents) = TextCorpus.Load(Fixture.Path("20news-bydate-train"));

        CollectionAssert.AreEqual(new[] { Path.Combine("rec.autos", "10001"), Path.Combine("sci.space", "60001") }, documents.ToArray());
        string all = string.Concat(train.Concat(heldOut).Select(p => p.Text));
        Assert.DoesNotContain("From:", all);
        Assert.DoesNotContain("Subject:", all);
        Assert.AreEqual("The probe reached orbit after a long cruise. It sent pictures home.\n", train.First(p => p.Document.StartsWith("sci.space", StringComparison.Ordinal)).Text);
    }

    [TestMethod]
    public void Load_HoldsOutTheLastParagraphsOfEveryDocument()
    {
        var (train, heldOut, _) = TextCorpus.Load(Fixture.Path("20news-bydate-train"));

        CollectionAssert.AreEquivalent(new[] { "-- Ann\n", "-- Bob\n" }, heldOut.Select(p => p.Text).ToArray());
        Assert.AreEqual(6, train.Count);
    }

    [TestMethod]
    public void Load_OfTheBundledAustenTextFindsTheSixNovels()
    {
        var (_, _, documents) = TextCorpus.Load(System.IO.Path.Combine(DataFiles.BundledDataFolder("austen"), "austen.txt.gz"));

        Assert.HasCount(6, documents);
    }

    [TestMethod]
    public void Spread_TakesAboutTheBudgetFromAllOverTheText()
    {
        List<Paragraph> paragraphs = Enumerable.Range(0, 1000).Select(i => new Paragraph($"d{i / 100}", new string('x', 99) + "\n")).ToList();

        List<Paragraph> kept = TextCorpus.Spread(paragraphs, 20_000);

        Assert.AreEqual(200, kept.Count);
        Assert.AreEqual(10, kept.Select(p => p.Document).Distinct().Count(), "every document contributes");
        Assert.AreSame(paragraphs, TextCorpus.Spread(paragraphs, 0));
    }

    [TestMethod]
    public void Load_OfAMissingPathSaysWhatItExpects()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => TextCorpus.Load("/no/such/text.txt"));
        StringAssert.Contains(e.Message, "folder of documents");
    }
}
