using System.IO.Compression;
using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class TextDatasetsTests
{
    [TestMethod]
    public void AgNewsCsvParsesQuotingEscapesAndClassNames()
    {
        string path = Temp(".csv",
            "\"3\",\"Wall St. Bears Claw Back\",\"Reuters - Short-sellers, Wall Street's dwindling\\band of \"\"ultra-cynics\"\", are seeing green again.\"\n" +
            "\"2\",\"Title\",\"Line one\\nline two\"\r\n" +
            "\"4\",\"Multi\nline\",\"x\"\n");
        var rows = TextDatasets.ReadAgNewsCsv(path).ToList();
        Assert.HasCount(3, rows);
        Assert.AreEqual("Business", rows[0].Label);
        Assert.AreEqual("Wall St. Bears Claw Back Reuters - Short-sellers, Wall Street's dwindling\\band of \"ultra-cynics\", are seeing green again.", rows[0].Text);
        Assert.AreEqual("Sports", rows[1].Label);
        Assert.AreEqual("Title Line one line two", rows[1].Text);
        Assert.AreEqual("Sci/Tech", rows[2].Label);
        Assert.AreEqual("Multi\nline x", rows[2].Text);
    }

    [TestMethod]
    public void AgNewsCsvRejectsBadClassNamingRecord()
    {
        string path = Temp(".csv", "\"1\",\"a\",\"b\"\n\"7\",\"c\",\"d\"\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDatasets.ReadAgNewsCsv(path).ToList());
        StringAssert.Contains(e.Message, "record 2");
        StringAssert.Contains(e.Message, "'7'");
    }

    [TestMethod]
    public void TsvReadsGzipSkipsHeaderAndKeepsQuotesLiterally()
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".tsv.gz");
        using (var gz = new StreamWriter(new GZipStream(File.Create(path), CompressionLevel.Fastest)))
            gz.Write("Label\tText\nEmma\t\"Quoted,\" she said.\nPersuasion\tAnne\n");
        IDataView view = new MLContext().Data.LoadTsv(path);
        var rows = new MLContext().Data.CreateEnumerable<LabeledText>(view, reuseRowObject: false).ToList();
        Assert.HasCount(2, rows);
        Assert.AreEqual("\"Quoted,\" she said.", rows[0].Text);
        Assert.AreEqual("Persuasion", rows[1].Label);
    }

    [TestMethod]
    public void TsvWithTooFewFieldsNamesFileAndLine()
    {
        string path = Temp(".tsv", "Label\tText\nEmma\tok\nbroken line\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDatasets.ReadTsv(path).ToList());
        StringAssert.Contains(e.Message, "line 3");
        StringAssert.Contains(e.Message, path);
    }

    private static string Temp(string extension, string content)
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + extension);
        File.WriteAllText(path, content);
        return path;
    }
}
