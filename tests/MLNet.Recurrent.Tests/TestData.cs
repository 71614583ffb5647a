using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>A row with one text column.</summary>
public sealed class TextRow
{
    public string? Text { get; set; }
}

/// <summary>PredictionEngine output for a token-id column named "Ids".</summary>
public sealed class IdsRow
{
    public int[] Ids { get; set; } = [];
}

/// <summary>Small helpers shared by the component tests.</summary>
internal static class TestData
{
    public static IDataView Texts(MLContext ml, params string?[] texts) =>
        ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }).ToList());

    public static int[][] ReadIds(IDataView view, string column = "Ids")
    {
        var rows = new List<int[]>();
        var col = view.Schema[column];
        using var cursor = view.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<int>>(col);
        VBuffer<int> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value.DenseValues().ToArray());
        }
        return rows.ToArray();
    }

    public static int[] ReadInts(IDataView view, string column)
    {
        var rows = new List<int>();
        var col = view.Schema[column];
        using var cursor = view.GetRowCursor([col]);
        var getter = cursor.GetGetter<int>(col);
        int value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value);
        }
        return rows.ToArray();
    }

    public static void AssertRows(int[][] expected, int[][] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length, "row count");
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}: expected [{string.Join(",", expected[i])}] got [{string.Join(",", actual[i])}]");
    }

    /// <summary>Saves with MLContext.Model.Save and loads with a fresh MLContext.</summary>
    public static ITransformer SaveAndLoad(MLContext ml, ITransformer model, DataViewSchema schema, string path)
    {
        ml.Model.Save(model, schema, path);
        return new MLContext(seed: 1).Model.Load(path, out _);
    }

    public static string TempPath(TestContext context, string name) =>
        Path.Combine(context.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");

    /// <summary>Replaces every zip entry whose name ends with <paramref name="suffix"/> by <paramref name="damage"/>(its bytes).</summary>
    public static void DamageEntry(string zipPath, string suffix, Func<byte[], byte[]> damage)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        var entries = zip.Entries.Where(e => e.FullName.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        Assert.AreNotEqual(0, entries.Count, $"no entry ending with '{suffix}' in: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        foreach (var entry in entries)
        {
            byte[] bytes;
            using (var stream = entry.Open())
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            string name = entry.FullName;
            entry.Delete();
            using var replaced = zip.CreateEntry(name).Open();
            replaced.Write(damage(bytes));
        }
    }

    /// <summary>ML.NET's internal SchemaShape.Create (estimators' GetOutputSchema takes a SchemaShape; users get one from pipelines).</summary>
    public static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    /// <summary>The exception itself or one of its inner exceptions of type <typeparamref name="T"/>.</summary>
    public static T FindInChain<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is T match)
                return match;
        }
        Assert.Fail($"expected a {typeof(T).Name} in the exception chain, got: {e}");
        return null!;
    }
}
