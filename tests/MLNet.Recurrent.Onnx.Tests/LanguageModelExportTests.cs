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

    public sealed class Counts
    {
        public int TokenCount { get; set; }
    }
}
