namespace MLNet.Recurrent.Examples.Tests;

[TestClass]
public sealed class AustenNovelsTests
{
    [TestMethod]
    public void Load_ReadsPlainAndGzipTsvAndKeepsQuotesAsText()
    {
        TextDataSet data = AustenNovels.Load(Fixture.Path("austen"));

        Assert.AreEqual(2, data.Train.Count);
        Assert.AreEqual(1, data.Test.Count, "austen_test.tsv.gz");
        Assert.AreEqual("\"Emma Woodhouse, handsome, clever, and rich,\" the narrator said.", data.Train[0].Text);
        CollectionAssert.AreEqual(new[] { "Emma", "Persuasion" }, data.Classes.ToArray());
    }

    [TestMethod]
    public void ReadTsv_NamesTheLineWithoutATab()
    {
        string file = System.IO.Path.Combine(Fixture.NewFolder(), "austen_train.tsv");
        File.WriteAllText(file, "Label\tText\nEmma\tfine\njust one field\n");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => AustenNovels.ReadTsv(file));

        StringAssert.Contains(e.Message, file + ", line 3");
    }

    [TestMethod]
    public void Load_OfTheBundledDataHasSixNovels()
    {
        TextDataSet data = AustenNovels.Load();

        Assert.AreEqual(6, data.Classes.Count);
        Assert.IsGreaterThan(7000, data.Train.Count);
    }
}
