using Microsoft.ML;

namespace MLNet.Recurrent.Onnx.Tests;

/// <summary>
/// What cannot be exported fails with an error naming the component and the way out; the way out (exporting the model
/// from its token-id column) works; token ids from ML.NET's own transforms (key-typed) export too.
/// </summary>
[TestClass]
public sealed class ExportLimitsTests
{
    public TestContext TestContext { get; set; } = null!;

    private static PretrainedTokenizer TinyWordPiece()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-recurrent-vocab-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "good", "bad", "movie", "plot", "the", "a", "##s", "fine", "great", "awful", "story" });
        return PretrainedTokenizer.WordPiece(path);
    }

    [TestMethod]
    public void PretrainedTokenizerPipelineFailsNamingTheComponentAndTheLimitation()
    {
        var ml = new MLContext(1);
        var rows = TextData.Rows(120, seed: 3, loneSurrogates: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Pretrained, Pretrained = TinyWordPiece() })
            .Append(ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { LabelColumnName = "Positive", EmbeddingSize = 4, HiddenSize = 8, NumberOfEpochs = 1 }));
        var model = pipeline.Fit(data);

        var error = Assert.ThrowsExactly<NotSupportedException>(() => Ort.Export(ml, model, data));
        TestContext.WriteLine(error.Message);
        StringAssert.Contains(error.Message, "TokenizeToIds transformer ('Text' → 'Tokens')");
        StringAssert.Contains(error.Message, "Pretrained mode");
        StringAssert.Contains(error.Message, "ConvertToOnnx(");
    }

    [TestMethod]
    public void KeyTypedTokensFromMLNetsOwnTransformsExportRowByRow()
    {
        // ML.NET's TokenizeIntoWords + MapValueToKey feed the trainer keys (key k = id k, 0 = missing = dropped). ML.NET
        // exports its word tokenizer for one row at a time ([1, T]), so this pipeline is scored row by row. ML.NET also
        // declares that output [-1, 1], which ONNX Runtime takes at its word when folding Shape: the exporters read
        // widths from the data (OnnxGraph.RuntimeWidth).
        var ml = new MLContext(1);
        var rows = TextData.Rows(150, seed: 6, loneSurrogates: false).Where(r => r.Text.Trim().Length > 0).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words", maximumNumberOfKeys: 200))
            .Append(ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { LabelColumnName = "Positive", EmbeddingSize = 4, HiddenSize = 8, NumberOfEpochs = 1, Seed = 1 }))
            .Fit(data);
        float[] expected = Ort.Column(model.Transform(data), "Score");
        using var ort = new Ort(Ort.Export(ml, model, data));
        float worst = 0;
        for (int r = 0; r < rows.Count; r++)
        {
            ort.ClearInputs().Strings("Text", new[] { rows[r].Text })
                .Tensor("Positive", new[] { rows[r].Positive }, 1, 1)
                .Strings("Class", new[] { rows[r].Class })
                .Tensor("Value", new[] { rows[r].Value }, 1, 1);
            float score = ((float[])ort.Run("Score.output")["Score.output"].Values)[0];
            worst = Math.Max(worst, Math.Abs(score - expected[r]));
        }
        TestContext.WriteLine($"TokenizeIntoWords + MapValueToKey keys, row by row: Score max |diff| {worst:G3} over {rows.Count} rows");
        Assert.IsLessThanOrEqualTo(1e-4f, worst);
    }

    [TestMethod]
    public void PretrainedTokenizerPipelineExportsFromItsTokenIdColumn()
    {
        var ml = new MLContext(1);
        var rows = TextData.Rows(300, seed: 4, loneSurrogates: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Pretrained, Pretrained = TinyWordPiece(), AddBeginningOfSequence = true })
            .Fit(data);
        IDataView tokenized = tokenizer.Transform(data);
        var trainer = ml.BinaryClassification.Trainers.Recurrent(new RecurrentTrainerOptions { LabelColumnName = "Positive", EmbeddingSize = 4, HiddenSize = 8, NumberOfEpochs = 1, Seed = 1 });
        RecurrentPredictionTransformer model = trainer.Fit(tokenized);
        IDataView expected = model.Transform(tokenized);

        // Ids in: the graph's token input is the column the pretrained tokenizer wrote; the caller tokenizes
        // (TokenCodec.Encode, or the same Microsoft.ML.Tokenizers model in the scoring process).
        // ML.NET's converter walks back through every transform behind the data it is given, so the data must start at the
        // token ids: a cache of the tokenized data (or ids loaded from anywhere) does.
        var idsOnly = ml.Data.Cache(ml.Transforms.SelectColumns("Tokens").Fit(tokenized).Transform(tokenized));
        byte[] onnx = Ort.Export(ml, model, idsOnly);
        using var ort = new Ort(onnx);
        CollectionAssert.AreEqual(new[] { "Tokens" }, ort.Inputs.Keys.ToArray());
        List<int[]> ids = TextData.Vectors(tokenized, "Tokens");
        CollectionAssert.AreEqual(ids[5], tokenizer.Codec.Encode(rows[5].Text), "the codec encodes as the transformer does");
        var outputs = ort.Ragged("Tokens", ids).Run("Score.output", "PredictedLabel.output");
        float diff = Ort.MaxAbsDiff(Ort.Column(expected, "Score"), (float[])outputs["Score.output"].Values, "Score");
        TestContext.WriteLine($"ids-in export of a pretrained-tokenizer model: Score max |diff| {diff:G3} over {rows.Count} rows");
        Assert.IsLessThanOrEqualTo(1e-4f, diff);
        CollectionAssert.AreEqual(Ort.Column(expected, "PredictedLabel"), Ort.Floats(outputs["PredictedLabel.output"].Values));
    }
}
