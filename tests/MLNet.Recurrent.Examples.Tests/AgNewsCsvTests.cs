namespace MLNet.Recurrent.Examples.Tests;

[TestClass]
public sealed class AgNewsCsvTests
{
    [TestMethod]
    public void Load_MapsClassIndexesToNamesAndJoinsTitleAndDescription()
    {
        TextDataSet data = AgNewsCsv.Load(Fixture.Path("ag_news_csv"));

        Assert.AreEqual(4, data.Train.Count);
        Assert.AreEqual(2, data.Test.Count);
        CollectionAssert.AreEqual(new[] { "Business", "Sports", "World", "Sci/Tech" }, data.Train.Select(r => r.Label).ToArray());
        Assert.AreEqual("Iraq Halts Oil Exports Iraq halted oil exports from the main pipeline in the south, officials said.", data.Train[2].Text);
    }

    [TestMethod]
    public void Read_HandlesQuotedCommasDoubledQuotesAndLiteralNewlineEscapes()
    {
        List<TextSample> rows = AgNewsCsv.Read(Fixture.Path("ag_news_csv", "train.csv"));

        Assert.AreEqual("Phelps, Thorpe Advance in 200 Freestyle ATHENS (Reuters) - Michael Phelps said \"I'm happy\" after the heat.  The Australian won his.", rows[1].Text);
    }

    [TestMethod]
    public void Read_RejectsAClassIndexOutsideOneToFour()
    {
        string file = System.IO.Path.Combine(Fixture.NewFolder(), "train.csv");
        File.WriteAllText(file, "\"1\",\"a\",\"b\"\n\"5\",\"c\",\"d\"\n");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => AgNewsCsv.Read(file));

        StringAssert.Contains(e.Message, file + ", line 2");
        StringAssert.Contains(e.Message, "'5'");
    }

    [TestMethod]
    public void Read_RejectsARecordWithoutThreeFields()
    {
        string file = System.IO.Path.Combine(Fixture.NewFolder(), "train.csv");
        File.WriteAllText(file, "\"1\",\"only a title\"\n");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => AgNewsCsv.Read(file));

        StringAssert.Contains(e.Message, "expected 3 fields");
    }

    [TestMethod]
    public void Read_ReportsAnUnterminatedQuoteAsInvalidData()
    {
        string file = System.IO.Path.Combine(Fixture.NewFolder(), "train.csv");
        File.WriteAllText(file, "\"1\",\"a\",\"b\"\n\"2\",\"never closed,\"x\n");

        Assert.ThrowsExactly<InvalidDataException>(() => AgNewsCsv.Read(file));
    }

    [TestMethod]
    public void Load_OfAMissingFolderSaysWhatItExpects()
    {
        var e = Assert.ThrowsExactly<DirectoryNotFoundException>(() => AgNewsCsv.Load("/no/such/folder"));
        StringAssert.Contains(e.Message, "train.csv");
    }
}
