using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Onnx.Tests;

/// <summary>
/// A language model exported with ML.NET's converter (text → TokenizeToIds → TrainLanguageModel): ONNX Runtime gives
/// each row's LogLikelihood, TokenCount and Perplexity as <c>Transform</c> does, for every cell, stacked layers and tied
/// weights, on rows of every length (0 and 1 token included, and with <bos>/<eos> markers).
/// </summary>
[TestClass]
public sealed class LanguageModelExportTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, 2, false)]
    [DataRow(RecurrentCell.Gru, 1, true)]
    [DataRow(RecurrentCell.Rnn, 2, false)]
    public void ExportedLanguageModelScoresRowsAsTransformDoes(RecurrentCell cell, int layers, bool tie)
    {
        var ml = new MLContext(1);
        var rows = TextData.Rows(300, seed: 21, loneSurrogates: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new LanguageModelOptions
        {
            Cell = cell, NumberOfLayers = layers, TieWeights = tie, EmbeddingSize = tie ? 16 : 8, HiddenSize = 16,
            NumberOfEpochs = 1, SequenceLength = 32, BatchSize = 16, Seed = 1, Dropout = 0,
        };
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character, AddBeginningOfSequence = tie, AddEndOfSequence = tie })
            .Append(ml.Transforms.Text.TrainLanguageModel(options))
            .Fit(ml.Data.LoadFromEnumerable(rows.Take(100)));
        IDataView expected = model.Transform(data);

        using var ort = new Ort(Ort.Export(ml, model, data));
        ort.Strings("Text", rows.Select(r => r.Text).ToList())
            .Tensor("Positive", rows.Select(r => r.Positive).ToArray(), rows.Count, 1)
            .Strings("Class", rows.Select(r => r.Class).ToList())
            .Tensor("Value", rows.Select(r => r.Value).ToArray(), rows.Count, 1);
        var outputs = ort.Run("LogLikelihood.output", "TokenCount.output", "Perplexity.output");

        float[] logLikelihood = Ort.Column(expected, "LogLikelihood");
        float[] perplexity = Ort.Column(expected, "Perplexity");
        int[] counts = ml.Data.CreateEnumerable<Counts>(expected, reuseRowObject: false).Select(c => c.TokenCount).ToArray();
        CollectionAssert.AreEqual(counts, (int[])outputs["TokenCount.output"].Values, "TokenCount");
        // Sums over up to ~300 tokens: compare relative to the size of the sum.
        float[] onnxLogLikelihood = (float[])outputs["LogLikelihood.output"].Values;
        double worst = logLikelihood.Zip(onnxLogLikelihood, (e, o) => Math.Abs(e - o) / Math.Max(1, Math.Abs(e))).Max();
        float perplexityDiff = Ort.MaxAbsDiff(perplexity, (float[])outputs["Perplexity.output"].Values, "Perplexity");
        TestContext.WriteLine($"{cell} x{layers}{(tie ? " tied" : "")}: LogLikelihood max |diff|/max(1,|LL|) {worst:G3} (max |LL| {logLikelihood.Max(Math.Abs):F1}), Perplexity max |diff| {perplexityDiff:G3}, rows with no predicted token: {counts.Count(c => c == 0)}");
        Assert.IsLessThanOrEqualTo(1e-5, worst, "LogLikelihood");
        Assert.IsLessThanOrEqualTo(1e-3f, perplexityDiff, "Perplexity");
        if (!tie)
            Assert.IsTrue(counts.Any(c => c == 0), "rows with fewer than 2 tokens are in the data");
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm)]
    [DataRow(RecurrentCell.Gru)]
    public void ExportedStepModelWalksARowToTheTransformersLogLikelihood(RecurrentCell cell)
    {
        var ml = new MLContext(1);
        var rows = TextData.Rows(120, seed: 22, loneSurrogates: false).Where(r => r.Text.Length is > 3 and < 80).Take(24).ToList();
        var options = new LanguageModelOptions { Cell = cell, NumberOfLayers = 2, EmbeddingSize = 8, HiddenSize = 12, NumberOfEpochs = 1, SequenceLength = 32, BatchSize = 8, Seed = 1 };
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character, AddBeginningOfSequence = true })
            .Fit(ml.Data.LoadFromEnumerable(rows));
        IDataView tokenized = tokenizer.Transform(ml.Data.LoadFromEnumerable(rows));
        using LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(tokenized);
        float[] expected = Ort.Column(model.Transform(tokenized), "LogLikelihood");
        List<int[]> ids = TextData.Vectors(tokenized, "Tokens");

        var (step, inputs) = LanguageModelStepModel.ForOnnxExport(model);
        byte[] onnx = Ort.Export(ml, step, inputs);
        int state = options.NumberOfLayers * options.HiddenSize;
        double worst = 0;
        using var ort = new Ort(onnx);
        for (int r = 0; r < rows.Count; r++)
        {
            float[] hidden = new float[state], cellState = new float[state];
            double sum = 0;
            for (int t = 0; t + 1 < ids[r].Length; t++)
            {
                ort.ClearInputs().Tensor(LanguageModelStepModel.TokenIdColumnName, new[] { ids[r][t] }, 1, 1).Tensor(LanguageModelStepModel.HiddenColumnName, hidden, 1, state);
                if (cell == RecurrentCell.Lstm)
                    ort.Tensor(LanguageModelStepModel.CellColumnName, cellState, 1, state);
                var names = cell == RecurrentCell.Lstm ? new[] { "LogProbabilities.output", "NextHidden.output", "NextCell.output" } : new[] { "LogProbabilities.output", "NextHidden.output" };
                var outputs = ort.Run(names);
                float[] logProbabilities = (float[])outputs["LogProbabilities.output"].Values;
                Assert.HasCount(model.VocabularySize, logProbabilities);
                sum += logProbabilities[ids[r][t + 1]];
                hidden = (float[])outputs["NextHidden.output"].Values;
                if (cell == RecurrentCell.Lstm)
                    cellState = (float[])outputs["NextCell.output"].Values;
            }
            worst = Math.Max(worst, Math.Abs(sum - expected[r]) / Math.Max(1, Math.Abs(expected[r])));
        }
        TestContext.WriteLine($"{cell} step model: Σ log p over {rows.Count} rows vs Transform's LogLikelihood, max relative |diff| {worst:G3}");
        Assert.IsLessThanOrEqualTo(1e-5, worst);
    }

    public sealed class Counts
    {
        public int TokenCount { get; set; }
    }
}
