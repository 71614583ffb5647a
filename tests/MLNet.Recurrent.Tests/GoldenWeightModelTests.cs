using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// Committed model zips of the components that hold weights — a tiny binary, multiclass and regression classifier and a
/// tiny character language model, each a whole text pipeline — must keep loading in a fresh <see cref="MLContext"/> and
/// give the outputs recorded beside them (<c>golden/&lt;name&gt;.expected.json</c>) when they were written. A zip of
/// every format version the library has written stays here as a read-back test.
/// With a deliberate format change, add a data row with a new name (keep the old ones) and write the missing zips:
/// <c>MLNET_RECURRENT_WRITE_GOLDEN=1 dotnet test tests/MLNet.Recurrent.Tests -c Release --filter FullyQualifiedName~GoldenWeightModelTests</c>
/// (zips that exist are never rewritten). <c>language-model-char-lstm-v1</c> is format 0x00010001 (weights in TorchSharp's
/// own format), <c>-v2</c> the current 0x00010002 (weights through <see cref="TorchWeights"/>); the classifiers' <c>-v1</c>
/// zips are the prediction transformer's format 0x00010001, <c>binary-lstm-learned-state-v2</c> its 0x00010002 (the
/// architecture records <see cref="RecurrentTrainerOptions.LearnInitialState"/> and the bag of n-grams),
/// <c>multiclass-bilstm-bag-recurrent-length-v3</c> its 0x00010003 (the architecture records
/// <see cref="RecurrentTrainerOptions.MaximumRecurrentLength"/>).
/// </summary>
[TestClass]
public sealed class GoldenWeightModelTests
{
    private const double Tolerance = 1e-4;

    private static readonly string[] Training =
    [
        "the cat sat on the mat", "a dog ran in the park", "the cat chased a mouse", "my dog likes the park",
        "cats purr and sleep all day", "dogs bark at the mailman", "the mouse hid from the cat", "a happy dog wags its tail",
        "the kitten sleeps on my bed", "the puppy digs in the garden", "cats climb trees", "dogs fetch sticks",
    ];

    private static readonly string[] Probe = ["the cat sat", "a dog in the park", "", "zebra quokka", "the the the cat dog mouse park"];

    public TestContext TestContext { get; set; } = null!;

    private static bool Writing(string name) =>
        Environment.GetEnvironmentVariable("MLNET_RECURRENT_WRITE_GOLDEN") == "1" && !File.Exists(Path.Combine(SourceDirectory(), "golden", name + ".zip"));

    [TestMethod]
    [DataRow("binary-gru-bidirectional-max-v1")]
    [DataRow("multiclass-lstm-2layers-last-v1")]
    [DataRow("regression-rnn-mean-v1")]
    [DataRow("binary-lstm-learned-state-v2")]
    [DataRow("multiclass-bilstm-bag-recurrent-length-v3")]
    public void CommittedClassifierZipLoadsAndScoresAsRecorded(string name)
    {
        if (Writing(name))
            WriteClassifier(name);
        var expected = ReadExpected(name);
        var ml = new MLContext(seed: 7);
        ITransformer model = ml.Model.Load(GoldenPath(name), out _);
        IDataView scored = model.Transform(ProbeData(ml));
        foreach (var (column, values) in expected)
            AssertClose(values, ReadColumn(scored, column), $"{name}: {column}");
    }

    [TestMethod]
    [DataRow("language-model-char-lstm-v1")]
    [DataRow("language-model-char-lstm-v2")]
    public void CommittedLanguageModelZipLoadsScoresAndGeneratesAsRecorded(string name)
    {
        if (Writing(name))
            WriteLanguageModel(name);
        var expected = ReadExpected(name);
        var ml = new MLContext(seed: 7);
        ITransformer model = ml.Model.Load(GoldenPath(name), out _);
        IDataView scored = model.Transform(ProbeData(ml));
        AssertClose(expected["LogLikelihood"], ReadColumn(scored, "LogLikelihood"), "LogLikelihood");
        AssertClose(expected["TokenCount"], ReadColumn(scored, "TokenCount"), "TokenCount");
        var lm = ((IEnumerable<ITransformer>)model).OfType<LanguageModelTransformer>().Single();
        string text = lm.Generate("the c", 12, new GenerationOptions { TopK = 1, Seed = 1 });
        Assert.AreEqual(ExpectedGeneration(name), text);
    }

    private void WriteClassifier(string name)
    {
        var ml = new MLContext(seed: 1);
        var rows = Training.Select((t, i) => new GoldenRow { Text = t, Class = t.Contains("cat") || t.Contains("kitten") || t.Contains("mouse") ? "cat" : t.Contains("dog") || t.Contains("pupp") ? "dog" : "other", Value = t.Length / 10f }).ToList();
        foreach (var r in rows)
            r.IsCat = r.Class == "cat";
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var tokenize = ml.Transforms.Text.TokenizeToIds("Tokens", "Text");
        ITransformer model;
        string[] columns;
        if (name.StartsWith("multiclass-bilstm-bag-recurrent-length", StringComparison.Ordinal))
        {
            model = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Append(tokenize).Append(ml.MulticlassClassification.Trainers.Recurrent(new RecurrentTrainerOptions
            {
                Cell = RecurrentCell.Lstm, Bidirectional = true, Pooling = SequencePooling.Max, NGramLength = 2, MaximumRecurrentLength = 3,
                EmbeddingSize = 6, HiddenSize = 5, NumberOfEpochs = 3, Seed = 3,
            })).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel")).Fit(data);
            columns = ["Score"];
        }
        else if (name.StartsWith("binary-lstm-learned-state", StringComparison.Ordinal))
        {
            model = tokenize.Append(ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions
            {
                LabelColumnName = "IsCat", Cell = RecurrentCell.Lstm, Bidirectional = true, NumberOfLayers = 2, Pooling = SequencePooling.LastHidden,
                LearnInitialState = true, EmbeddingSize = 6, HiddenSize = 5, NumberOfEpochs = 3, Seed = 3,
            })).Fit(data);
            columns = ["Score", "Probability"];
        }
        else if (name.StartsWith("binary", StringComparison.Ordinal))
        {
            model = tokenize.Append(ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions
            {
                LabelColumnName = "IsCat", Cell = RecurrentCell.Gru, Bidirectional = true, Pooling = SequencePooling.Max,
                EmbeddingSize = 6, HiddenSize = 5, NumberOfEpochs = 3, Seed = 3,
            })).Fit(data);
            columns = ["Score", "Probability"];
        }
        else if (name.StartsWith("multiclass", StringComparison.Ordinal))
        {
            model = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Append(tokenize).Append(ml.MulticlassClassification.Trainers.Recurrent(new RecurrentTrainerOptions
            {
                Cell = RecurrentCell.Lstm, NumberOfLayers = 2, Pooling = SequencePooling.LastHidden, Dropout = 0.1,
                EmbeddingSize = 6, HiddenSize = 5, NumberOfEpochs = 3, Seed = 3,
            })).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel")).Fit(data);
            columns = ["Score"];
        }
        else
        {
            model = tokenize.Append(ml.Regression.Trainers.Recurrent(new RecurrentTrainerOptions
            {
                LabelColumnName = "Value", Cell = RecurrentCell.Rnn, Pooling = SequencePooling.Mean,
                EmbeddingSize = 6, HiddenSize = 5, NumberOfEpochs = 3, Seed = 3,
            })).Fit(data);
            columns = ["Score"];
        }
        Save(ml, model, data.Schema, name, columns);
    }

    private void WriteLanguageModel(string name)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Training.Select(t => new GoldenRow { Text = t }).ToList());
        ITransformer model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character })
            .Append(ml.Transforms.Text.TrainLanguageModel(new LanguageModelOptions
            {
                EmbeddingSize = 8, HiddenSize = 24, NumberOfLayers = 1, NumberOfEpochs = 60, LearningRate = 0.02, SequenceLength = 16, BatchSize = 4, Seed = 3,
                // The language model's defaults when the committed zips were written.
                RecurrentInitialization = RecurrentInitialization.PyTorch, LearningRateSchedule = LearningRateSchedule.Constant,
            })).Fit(data);
        var lm = ((IEnumerable<ITransformer>)model).OfType<LanguageModelTransformer>().Single();
        File.WriteAllText(Path.Combine(SourceDirectory(), "golden", name + ".generated.txt"), lm.Generate("the c", 12, new GenerationOptions { TopK = 1, Seed = 1 }));
        Save(ml, model, data.Schema, name, ["LogLikelihood", "TokenCount"]);
    }

    private void Save(MLContext ml, ITransformer model, DataViewSchema schema, string name, string[] columns)
    {
        string zip = Path.Combine(SourceDirectory(), "golden", name + ".zip");
        ml.Model.Save(model, schema, zip);
        IDataView scored = model.Transform(ProbeData(ml));
        var expected = columns.ToDictionary(c => c, c => ReadColumn(scored, c));
        File.WriteAllText(Path.Combine(SourceDirectory(), "golden", name + ".expected.json"), JsonSerializer.Serialize(expected, new JsonSerializerOptions { WriteIndented = true }));
        TestContext.WriteLine($"wrote {zip}");
        // The build copies golden/ into the output folder before the tests run; refresh that copy too.
        File.Copy(zip, GoldenPath(name), overwrite: true);
        File.Copy(Path.ChangeExtension(zip, ".expected.json"), Path.ChangeExtension(GoldenPath(name), ".expected.json"), overwrite: true);
        string generated = Path.ChangeExtension(zip, ".generated.txt");
        if (File.Exists(generated))
            File.Copy(generated, Path.ChangeExtension(GoldenPath(name), ".generated.txt"), overwrite: true);
    }

    private static IDataView ProbeData(MLContext ml) =>
        ml.Data.LoadFromEnumerable(Probe.Select(t => new GoldenRow { Text = t, Class = "cat", IsCat = true, Value = 1 }).ToList());

    private static string GoldenPath(string name) => Path.Combine(AppContext.BaseDirectory, "golden", name + ".zip");

    private static Dictionary<string, double[][]> ReadExpected(string name) =>
        JsonSerializer.Deserialize<Dictionary<string, double[][]>>(File.ReadAllText(Path.ChangeExtension(GoldenPath(name), ".expected.json")))!;

    private static string ExpectedGeneration(string name) => File.ReadAllText(Path.ChangeExtension(GoldenPath(name), ".generated.txt"));

    /// <summary>Every row of a numeric scalar or vector column, as doubles.</summary>
    private static double[][] ReadColumn(IDataView view, string name)
    {
        var column = view.Schema[name];
        var rows = new List<double[]>();
        using var cursor = view.GetRowCursor([column]);
        Func<double[]> read = column.Type switch
        {
            VectorDataViewType => Vector(cursor, column),
            NumberDataViewType n when n == NumberDataViewType.Int32 => Scalar<int>(cursor, column, v => v),
            _ => Scalar<float>(cursor, column, v => v),
        };
        while (cursor.MoveNext())
            rows.Add(read());
        return rows.ToArray();
    }

    private static Func<double[]> Scalar<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, double> convert)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return [convert(value)];
        };
    }

    private static Func<double[]> Vector(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        return () =>
        {
            getter(ref value);
            return value.DenseValues().Select(v => (double)v).ToArray();
        };
    }

    private static void AssertClose(double[][] expected, double[][] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, $"{what}: row count");
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.HasCount(expected[r].Length, actual[r], $"{what}: row {r} width");
            for (int i = 0; i < expected[r].Length; i++)
                Assert.AreEqual(expected[r][i], actual[r][i], Tolerance, $"{what}: row {r}, value {i}");
        }
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    /// <summary>A row of the golden pipelines' input.</summary>
    public sealed class GoldenRow
    {
        public string Text { get; set; } = "";

        public string Class { get; set; } = "";

        public bool IsCat { get; set; }

        public float Value { get; set; }
    }
}
