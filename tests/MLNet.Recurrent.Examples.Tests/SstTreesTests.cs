namespace MLNet.Recurrent.Examples.Tests;

[TestClass]
public sealed class SstTreesTests
{
    [TestMethod]
    public void Load_ReadsTheThreeSplitsAndMapsFineLabelsToThreeClasses()
    {
        TextDataSet data = SstTrees.Load(Fixture.Path("sst"));

        Assert.AreEqual(5, data.Train.Count, "blank lines are skipped");
        Assert.AreEqual(2, data.Validation.Count);
        Assert.AreEqual(3, data.Test.Count);
        CollectionAssert.AreEqual(new[] { "positive", "negative", "neutral", "negative", "positive" }, data.Train.Select(r => r.Label).ToArray());
        CollectionAssert.AreEqual(new[] { "negative", "neutral", "positive" }, data.Classes.ToArray());
    }

    [TestMethod]
    public void Read_JoinsTheLeavesInOrderAndUndoesPtbEscapes()
    {
        List<SstSentence> sentences = SstTrees.Read(Fixture.Path("sst", "trees", "train.txt"));

        Assert.AreEqual("It 's a lovely film with lovely performances by Buy and Accorsi .", sentences[0].Text);
        Assert.AreEqual(3, sentences[0].FineLabel);
        Assert.AreEqual("The plot is thin ( and/or ) .", sentences[1].Text);
    }

    [TestMethod]
    [DataRow(0, "negative")]
    [DataRow(1, "negative")]
    [DataRow(2, "neutral")]
    [DataRow(3, "positive")]
    [DataRow(4, "positive")]
    public void Sentiment_GroupsTheFiveFineLabels(int fine, string expected) =>
        Assert.AreEqual(expected, new SstSentence(fine, "x").Sentiment);

    [TestMethod]
    [DataRow("(3 (2 good)", "closed")]
    [DataRow("(7 (2 good))", "label 0–4")]
    [DataRow("(3 (2 good)) extra", "after the end")]
    [DataRow("3 (2 good))", "expected '('")]
    [DataRow("(3 )", "word or a subtree")]
    public void Parse_RejectsMalformedTrees(string tree, string expectedMessagePart)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => SstTrees.Parse(tree));
        StringAssert.Contains(e.Message, expectedMessagePart);
    }

    [TestMethod]
    public void Read_NamesTheFileAndLineOfABadTree()
    {
        string file = System.IO.Path.Combine(Fixture.NewFolder(), "train.txt");
        File.WriteAllLines(file, ["(2 (2 fine))", "(2 (2 broken)"]);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => SstTrees.Read(file));

        StringAssert.Contains(e.Message, file + ", line 2");
    }

    [TestMethod]
    public void Load_WithoutTheSplitFilesNamesTheMissingFile()
    {
        string folder = Fixture.NewFolder();

        var e = Assert.ThrowsExactly<FileNotFoundException>(() => SstTrees.Load(folder));

        StringAssert.Contains(e.Message, "train.txt");
    }
}
