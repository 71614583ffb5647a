using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Accuracy;

/// <summary>The task of a suite set, which decides the label type, the trainers and the metrics.</summary>
internal enum SuiteTask
{
    Multiclass,
    Binary,
    Regression,
}

/// <summary>
/// One set of the suite as built by benchmarks/accuracy/build_sets.py: a folder with <c>train.tsv</c>, <c>test.tsv</c>
/// (header <c>Label&lt;TAB&gt;Text</c>, csv-quoted where needed) and <c>meta.json</c>.
/// </summary>
internal sealed class SuiteSet
{
    private SuiteSet(string folder, string name, SuiteTask task, int trainRows, int testRows)
    {
        Folder = folder;
        Name = name;
        Task = task;
        TrainRows = trainRows;
        TestRows = testRows;
    }

    public string Folder { get; }

    public string Name { get; }

    public SuiteTask Task { get; }

    /// <summary>Rows meta.json promises; the loaded files are checked against it.</summary>
    public int TrainRows { get; }

    public int TestRows { get; }

    public string TrainPath => Path.Combine(Folder, "train.tsv");

    public string TestPath => Path.Combine(Folder, "test.tsv");

    public static SuiteSet Open(string folder)
    {
        string metaPath = Path.Combine(folder, "meta.json");
        if (!File.Exists(metaPath))
            throw new FileNotFoundException($"Set folder '{folder}' has no meta.json; build the sets with benchmarks/accuracy/prepare.sh.", metaPath);
        using var doc = JsonDocument.Parse(File.ReadAllText(metaPath));
        var root = doc.RootElement;
        string name = root.GetProperty("name").GetString() ?? Path.GetFileName(folder);
        string taskText = root.GetProperty("task").GetString() ?? "";
        SuiteTask task = taskText switch
        {
            "multiclass" => SuiteTask.Multiclass,
            "binary" => SuiteTask.Binary,
            "regression" => SuiteTask.Regression,
            _ => throw new InvalidDataException($"{metaPath}: task '{taskText}' is not one of multiclass, binary, regression."),
        };
        var set = new SuiteSet(folder, name, task, root.GetProperty("train_rows").GetInt32(), root.GetProperty("test_rows").GetInt32());
        foreach (string path in new[] { set.TrainPath, set.TestPath })
            if (!File.Exists(path))
                throw new FileNotFoundException($"Set '{name}' lacks {Path.GetFileName(path)} in '{folder}'.", path);
        return set;
    }

    /// <summary>Loads one part with ML.NET's text loader (label typed by the task) and checks its row count against meta.json.</summary>
    public IDataView Load(MLContext ml, bool train)
    {
        string path = train ? TrainPath : TestPath;
        var view = Loader(ml).Load(path);
        int expected = train ? TrainRows : TestRows;
        long rows = CountRows(view);
        if (rows != expected)
            throw new InvalidDataException($"{path}: ML.NET's loader read {rows} rows, meta.json says {expected} (a quoting problem in the file?).");
        return view;
    }

    /// <summary>
    /// The labelled rows of a run with <c>--label-fraction</c> <paramref name="fraction"/>: a seeded shuffle of the training
    /// rows, the first <c>max(1, round(fraction × rows))</c> of it, kept in file order, read by the same loader from
    /// memory. Every side with the same <paramref name="seed"/> gets the same rows. The files hold one row per line
    /// (build_sets.py collapses whitespace in the texts), which is checked.
    /// </summary>
    public (IDataView View, int Rows) LoadTrainSubset(MLContext ml, double fraction, int seed)
    {
        string[] lines = File.ReadAllLines(TrainPath);
        string header = lines[0];
        string[] rows = lines.Skip(1).Where(l => l.Length > 0).ToArray();
        if (rows.Length != TrainRows)
            throw new InvalidDataException($"{TrainPath}: {rows.Length} non-empty lines after the header, meta.json says {TrainRows} rows; --label-fraction needs one row per line.");
        int take = Math.Clamp((int)Math.Round(fraction * rows.Length), 1, rows.Length);
        int[] order = Enumerable.Range(0, rows.Length).ToArray();
        new Random(seed).Shuffle(order);
        var chosen = order.Take(take).Order().Select(i => rows[i]);
        string text = string.Join("\n", chosen.Prepend(header)) + "\n";
        var view = Loader(ml).Load(new StringSource(text, $"{TrainPath} ({take} of {rows.Length} rows, seed {seed})"));
        long read = CountRows(view);
        if (read != take)
            throw new InvalidDataException($"{TrainPath}: ML.NET's loader read {read} of the {take} chosen rows.");
        return (view, take);
    }

    private TextLoader Loader(MLContext ml)
    {
        DataKind labelKind = Task switch
        {
            SuiteTask.Binary => DataKind.Boolean,
            SuiteTask.Regression => DataKind.Single,
            _ => DataKind.String,
        };
        return ml.Data.CreateTextLoader(
            new[] { new TextLoader.Column("Label", labelKind, 0), new TextLoader.Column("Text", DataKind.String, 1) },
            separatorChar: '\t', hasHeader: true, allowQuoting: true, trimWhitespace: false);
    }

    /// <summary>A text file held in memory, for <see cref="TextLoader"/>.</summary>
    private sealed class StringSource(string text, string name) : IMultiStreamSource
    {
        public int Count => 1;

        public string? GetPathOrNull(int index) => null;

        public override string ToString() => name;

        public Stream Open(int index) => new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text), writable: false);

        public TextReader OpenTextReader(int index) => new StringReader(text);
    }

    private static long CountRows(IDataView view)
    {
        long n = 0;
        using var cursor = view.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext())
            n++;
        return n;
    }
}
