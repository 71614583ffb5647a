using Microsoft.ML;

namespace MLNet.Recurrent.Examples.Tests;

[TestClass]
public sealed class TextDataSetTests
{
    private static TextDataSet Numbers(int rows) => new("numbers", ["even", "odd"],
        Enumerable.Range(0, rows).Select(i => new TextSample { Label = i % 2 == 0 ? "even" : "odd", Text = $"number {i}" }).ToList(), [],
        [new TextSample { Label = "odd", Text = "number 1" }]);

    [TestMethod]
    public void WithValidationSplit_MovesTheFractionAndIsSeeded()
    {
        TextDataSet a = Numbers(100).WithValidationSplit(0.2, seed: 3), b = Numbers(100).WithValidationSplit(0.2, seed: 3);

        Assert.AreEqual(80, a.Train.Count);
        Assert.AreEqual(20, a.Validation.Count);
        CollectionAssert.AreEqual(a.Validation.Select(r => r.Text).ToArray(), b.Validation.Select(r => r.Text).ToArray());
        Assert.IsFalse(a.Train.Select(r => r.Text).Intersect(a.Validation.Select(r => r.Text)).Any());
    }

    [TestMethod]
    public void OnlyClasses_KeepsTheirRowsAndOrder()
    {
        TextDataSet data = Numbers(10).OnlyClasses("odd");

        Assert.AreEqual(5, data.Train.Count);
        CollectionAssert.AreEqual(new[] { "odd" }, data.Classes.ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => Numbers(10).OnlyClasses("prime"));
    }

    [TestMethod]
    public void ToBinaryDataView_MakesTheSecondClassTrue()
    {
        var ml = new MLContext(seed: 1);
        TextDataSet data = Numbers(4);

        bool[] labels = ml.Data.CreateEnumerable<BinaryTextSample>(data.ToBinaryDataView(ml, data.Train), reuseRowObject: false).Select(r => r.Label).ToArray();

        CollectionAssert.AreEqual(new[] { false, true, false, true }, labels);
    }
}
