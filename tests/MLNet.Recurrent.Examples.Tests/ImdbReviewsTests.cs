namespace MLNet.Recurrent.Examples.Tests;

[TestClass]
public sealed class ImdbReviewsTests
{
    [TestMethod]
    public void Load_ReadsEveryReviewFileWithItsFolderAsLabel()
    {
        TextDataSet data = ImdbReviews.Load(Fixture.Path("aclImdb"));

        Assert.AreEqual(4, data.Train.Count);
        Assert.AreEqual(2, data.Test.Count);
        CollectionAssert.AreEqual(new[] { "neg", "neg", "pos", "pos" }, data.Train.Select(r => r.Label).ToArray());
        CollectionAssert.AreEqual(new[] { "neg", "pos" }, data.Classes.ToArray());
    }

    [TestMethod]
    public void Load_AcceptsTheFolderThatHoldsAclImdb() =>
        Assert.AreEqual(4, ImdbReviews.Load(Fixture.Path()).Train.Count);

    [TestMethod]
    public void Load_TurnsHtmlLineBreaksIntoSpaces()
    {
        TextDataSet data = ImdbReviews.Load(Fixture.Path("aclImdb"));

        Assert.AreEqual("A wonderful film.  I loved it.", data.Train[2].Text);
    }

    [TestMethod]
    public void Load_WithoutAClassFolderNamesIt()
    {
        string root = Fixture.NewFolder();
        Directory.CreateDirectory(System.IO.Path.Combine(root, "train", "neg"));

        var e = Assert.ThrowsExactly<DirectoryNotFoundException>(() => ImdbReviews.Load(root));

        StringAssert.Contains(e.Message, System.IO.Path.Combine(root, "train", "pos"));
    }
}
