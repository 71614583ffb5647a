using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNet.Recurrent.Onnx.Tests;

/// <summary>
/// Whole text pipelines (TokenizeToIds → [PadSequences] → recurrent trainer, with ML.NET's MapValueToKey/MapKeyToValue)
/// exported with <c>mlContext.Model.ConvertToOnnx</c>: text in, scores out. On 1,200 varied rows, ONNX Runtime in one
/// batch gives ML.NET's <c>Transform</c> outputs (max |diff| ≤ 1e-4, identical labels), and ML.NET's own
/// <c>ApplyOnnxModel</c> on the exported file gives the same <c>Evaluate</c> metrics.
/// </summary>
[TestClass]
public sealed class PipelineExportTests
{
    private const int Rows = 1200;

    public TestContext TestContext { get; set; } = null!;

    private static RecurrentTrainerOptions Small(string label, string feature, RecurrentCell cell) => new()
    {
        LabelColumnName = label, FeatureColumnName = feature, Cell = cell,
        EmbeddingSize = 8, HiddenSize = 16, NumberOfEpochs = 2, BatchSize = 32, LearningRate = 0.01, Seed = 2,
    };

    [TestMethod]
    public void MulticlassWordPipelineWithPaddingAndKeyMappingsExportsWhole()
    {
        var ml = new MLContext(1);
        var rows = TextData.Rows(Rows, seed: 11, loneSurrogates: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Small("Label", "Padded", RecurrentCell.Gru);
        options.Bidirectional = true;
        options.NumberOfLayers = 2;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { KeepPunctuation = true, MinimumFrequency = 2 }))
            .Append(ml.Transforms.Text.PadSequences("Padded", "Tokens", 16))
            .Append(ml.MulticlassClassification.Trainers.Recurrent(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows.Take(600)));
        IDataView expected = model.Transform(data);

        byte[] onnx = Ort.Export(ml, model, data);
        var outputs = RunBatch(onnx, rows, "Score.output", "PredictedLabel.output", "PredictedClass.output", "Padded.output", "PaddedLength.output", "Tokens.output");
        AssertClose(expected, "Score", outputs, 1e-4f);
        AssertClose(expected, "PredictedLabel", outputs, 0);
        CollectionAssert.AreEqual(StringColumn(expected, "PredictedClass"), (string[])outputs["PredictedClass.output"].Values, "PredictedClass");
        CollectionAssert.AreEqual(TextData.Vectors(expected, "Padded").SelectMany(v => v).ToArray(), (int[])outputs["Padded.output"].Values, "Padded");
        CollectionAssert.AreEqual(IntColumn(expected, "PaddedLength"), (int[])outputs["PaddedLength.output"].Values, "PaddedLength");

        // ML.NET's ApplyOnnxModel on the exported file: same metrics as the ML.NET model.
        var metrics = ml.MulticlassClassification.Evaluate(expected, "Label", "Score", "PredictedLabel");
        // ApplyOnnxModel names its columns after the graph outputs without ML.NET's ".output" suffix: Score, PredictedLabel.
        IDataView viaOnnx = ApplyOnnx(ml, onnx, model.First().Transform(data), "Score.output", "PredictedLabel.output");
        var onnxMetrics = ml.MulticlassClassification.Evaluate(viaOnnx, "Label", "Score", "PredictedLabel");
        TestContext.WriteLine($"multiclass: ML.NET micro {metrics.MicroAccuracy:F6} macro {metrics.MacroAccuracy:F6} log-loss {metrics.LogLoss:F6}; ONNX micro {onnxMetrics.MicroAccuracy:F6} macro {onnxMetrics.MacroAccuracy:F6} log-loss {onnxMetrics.LogLoss:F6}");
        Assert.AreEqual(metrics.MicroAccuracy, onnxMetrics.MicroAccuracy, 1e-9);
        Assert.AreEqual(metrics.MacroAccuracy, onnxMetrics.MacroAccuracy, 1e-9);
        Assert.AreEqual(metrics.LogLoss, onnxMetrics.LogLoss, 1e-4);
    }

    [TestMethod]
    public void BinaryCharacterPipelineExportsWholeAndEvaluatesTheSameThroughApplyOnnxModel()
    {
        var ml = new MLContext(1);
        var rows = TextData.Rows(Rows, seed: 12, loneSurrogates: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Small("Positive", "Tokens", RecurrentCell.Lstm);
        options.NumberOfLayers = 2;
        options.Pooling = SequencePooling.Mean;
        options.MaximumSequenceLength = 40;
        var pipeline = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character, Lowercase = true })
            .Append(ml.BinaryClassification.Trainers.Recurrent(options));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows.Take(500)));
        IDataView expected = model.Transform(data);

        byte[] onnx = Ort.Export(ml, model, data);
        var outputs = RunBatch(onnx, rows, "Score.output", "Probability.output", "PredictedLabel.output");
        AssertClose(expected, "Score", outputs, 1e-4f);
        AssertClose(expected, "Probability", outputs, 1e-4f);
        AssertClose(expected, "PredictedLabel", outputs, 0);

        var metrics = ml.BinaryClassification.Evaluate(expected, "Positive");
        IDataView viaOnnx = ApplyOnnx(ml, onnx, data, "Score.output", "Probability.output", "PredictedLabel.output");
        // ApplyOnnxModel gives every [N, 1] output as a one-element vector column; Evaluate wants scalars.
        viaOnnx = ml.Transforms.CustomMapping<OnnxBinaryOutputs, BinaryScalars>((i, o) =>
        {
            o.Score = i.Score[0];
            o.Probability = i.Probability[0];
            o.PredictedLabel = i.PredictedLabel[0];
        }, null).Fit(viaOnnx).Transform(viaOnnx);
        var onnxMetrics = ml.BinaryClassification.Evaluate(viaOnnx, "Positive");
        TestContext.WriteLine($"binary: ML.NET accuracy {metrics.Accuracy:F6} AUC {metrics.AreaUnderRocCurve:F6} log-loss {metrics.LogLoss:F6}; ONNX accuracy {onnxMetrics.Accuracy:F6} AUC {onnxMetrics.AreaUnderRocCurve:F6} log-loss {onnxMetrics.LogLoss:F6}");
        Assert.AreEqual(metrics.Accuracy, onnxMetrics.Accuracy, 1e-9);
        Assert.AreEqual(metrics.AreaUnderRocCurve, onnxMetrics.AreaUnderRocCurve, 1e-6);
        Assert.AreEqual(metrics.F1Score, onnxMetrics.F1Score, 1e-9);
        Assert.AreEqual(metrics.LogLoss, onnxMetrics.LogLoss, 1e-4);
    }

    [TestMethod]
    public void RegressionWordPipelineWithTruncationAndPostPaddingExportsWhole()
    {
        var ml = new MLContext(1);
        var rows = TextData.Rows(Rows, seed: 13, loneSurrogates: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Small("Value", "Padded", RecurrentCell.Rnn);
        options.Pooling = SequencePooling.Max;
        options.Bidirectional = true;
        var pipeline = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { MaximumLength = 10, Truncation = TruncationSide.Pre, AddBeginningOfSequence = true })
            .Append(ml.Transforms.Text.PadSequences("Padded", "Tokens", 12, padding: PaddingSide.Post, truncation: TruncationSide.Post))
            .Append(ml.Regression.Trainers.Recurrent(options));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows.Take(500)));
        IDataView expected = model.Transform(data);

        byte[] onnx = Ort.Export(ml, model, data);
        var outputs = RunBatch(onnx, rows, "Score.output", "Padded.output");
        AssertClose(expected, "Score", outputs, 1e-4f);
        CollectionAssert.AreEqual(TextData.Vectors(expected, "Padded").SelectMany(v => v).ToArray(), (int[])outputs["Padded.output"].Values, "Padded");

        var metrics = ml.Regression.Evaluate(expected, "Value");
        IDataView viaOnnx = ApplyOnnx(ml, onnx, data, "Score.output");
        viaOnnx = ml.Transforms.CustomMapping<OnnxRegressionOutputs, RegressionScalars>((i, o) => o.Score = i.Score[0], null).Fit(viaOnnx).Transform(viaOnnx);
        var onnxMetrics = ml.Regression.Evaluate(viaOnnx, "Value");
        TestContext.WriteLine($"regression: ML.NET RMSE {metrics.RootMeanSquaredError:F6} R² {metrics.RSquared:F6}; ONNX RMSE {onnxMetrics.RootMeanSquaredError:F6} R² {onnxMetrics.RSquared:F6}");
        Assert.AreEqual(metrics.RootMeanSquaredError, onnxMetrics.RootMeanSquaredError, 1e-5);
        Assert.AreEqual(metrics.MeanAbsoluteError, onnxMetrics.MeanAbsoluteError, 1e-5);
        Assert.AreEqual(metrics.RSquared, onnxMetrics.RSquared, 1e-5);
    }

    [TestMethod]
    public void BatchesWithoutAnyTokenAndSingleRowsScoreAsTransformDoes()
    {
        var ml = new MLContext(1);
        var rows = TextData.Rows(200, seed: 14, loneSurrogates: false);
        var options = Small("Positive", "Tokens", RecurrentCell.Lstm);
        options.Bidirectional = true;
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text")
            .Append(ml.BinaryClassification.Trainers.Recurrent(options))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        byte[] onnx = Ort.Export(ml, model, ml.Data.LoadFromEnumerable(rows));
        // Batches whose rows hold no word at all (the token tensor is [N, 0]), and rows one at a time.
        var batches = new List<List<TextRow>>
        {
            new() { new TextRow { Text = "" }, new TextRow { Text = "   " }, new TextRow { Text = "!!! ... ?" } },
            new() { new TextRow { Text = "" } },
            new() { rows[7] },
            new() { new TextRow { Text = "good" } },
        };
        foreach (var batch in batches)
        {
            IDataView expected = model.Transform(ml.Data.LoadFromEnumerable(batch));
            using var ort = new Ort(onnx);
            ort.Strings("Text", batch.Select(r => r.Text).ToList())
                .Tensor("Positive", batch.Select(r => r.Positive).ToArray(), batch.Count, 1)
                .Strings("Class", batch.Select(r => r.Class).ToList())
                .Tensor("Value", batch.Select(r => r.Value).ToArray(), batch.Count, 1);
            var outputs = ort.Run("Score.output", "Tokens.output");
            float diff = Ort.MaxAbsDiff(Ort.Column(expected, "Score"), (float[])outputs["Score.output"].Values, "Score");
            Assert.IsLessThanOrEqualTo(1e-4f, diff, $"batch \"{string.Join("|", batch.Select(r => r.Text))}\"");
            CollectionAssert.AreEqual(TextData.Vectors(expected, "Tokens").SelectMany(v => v).ToArray(), (int[])outputs["Tokens.output"].Values);
        }
    }

    public sealed class OnnxBinaryOutputs
    {
        [VectorType(1)] public float[] Score { get; set; } = Array.Empty<float>();

        [VectorType(1)] public float[] Probability { get; set; } = Array.Empty<float>();

        [VectorType(1)] public bool[] PredictedLabel { get; set; } = Array.Empty<bool>();
    }

    public sealed class BinaryScalars
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    public sealed class OnnxRegressionOutputs
    {
        [VectorType(1)] public float[] Score { get; set; } = Array.Empty<float>();
    }

    public sealed class RegressionScalars
    {
        public float Score { get; set; }
    }

    private static int[] IntColumn(IDataView data, string column)
    {
        var col = data.Schema[column];
        var result = new List<int>();
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<int>(col);
        int value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value);
        }
        return result.ToArray();
    }

    private static string[] StringColumn(IDataView data, string column)
    {
        var col = data.Schema[column];
        var result = new List<string>();
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(col);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.ToString());
        }
        return result.ToArray();
    }

    private Dictionary<string, (long[] Shape, Array Values)> RunBatch(byte[] onnx, List<TextRow> rows, params string[] outputs)
    {
        using var ort = new Ort(onnx);
        TestContext.WriteLine("graph inputs: " + string.Join(", ", ort.Inputs.Select(i => $"{i.Key} {i.Value.ElementType.Name}[{string.Join(",", i.Value.Dimensions)}]")));
        TestContext.WriteLine("graph outputs: " + string.Join(", ", ort.Outputs.Select(i => $"{i.Key} {i.Value.ElementType.Name}[{string.Join(",", i.Value.Dimensions)}]")));
        CollectionAssert.AreEquivalent(new[] { "Text", "Positive", "Class", "Value" }, ort.Inputs.Keys.ToArray(), "graph inputs: the data's columns only");
        ort.Strings("Text", rows.Select(r => r.Text).ToList())
            .Tensor("Positive", rows.Select(r => r.Positive).ToArray(), rows.Count, 1)
            .Strings("Class", rows.Select(r => r.Class).ToList())
            .Tensor("Value", rows.Select(r => r.Value).ToArray(), rows.Count, 1);
        return ort.Run(outputs);
    }

    private void AssertClose(IDataView expected, string column, Dictionary<string, (long[] Shape, Array Values)> outputs, float tolerance)
    {
        float diff = Ort.MaxAbsDiff(Ort.Column(expected, column), Ort.Floats(outputs[column + ".output"].Values), column);
        TestContext.WriteLine($"{column}: max |diff| {diff:G3} over {Rows} rows");
        Assert.IsLessThanOrEqualTo(tolerance, diff, $"{column}: max |diff| {diff}");
    }

    private static IDataView ApplyOnnx(MLContext ml, byte[] onnx, IDataView data, params string[] outputs)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-recurrent-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, onnx);
        var transformer = ml.Transforms.ApplyOnnxModel(outputs, new[] { "Text", "Positive", "Class", "Value" }, path).Fit(data);
        // Materialized, so the caller's Evaluate reads the cache.
        var cached = ml.Data.Cache(transformer.Transform(data));
        using (var cursor = cached.GetRowCursor(cached.Schema)) { while (cursor.MoveNext()) { } }
        return cached;
    }
}
