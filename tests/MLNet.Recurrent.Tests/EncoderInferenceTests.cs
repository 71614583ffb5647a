using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// Prediction (no autograd) gives the same outputs as training-mode computation for every hidden size and path.
/// Guards against libtorch's oneDNN LSTM inference kernel, which returns wrong outputs for some hidden sizes on some CPUs.
/// </summary>
[TestClass]
public sealed class EncoderInferenceTests
{
    [TestMethod]
    public void PredictionPacksPaddedBatchesWhileOneDnnIsOff()
    {
        TorchRuntime.EnsureLoaded();
        Assert.IsTrue(OneDnnRecurrentWorkaround.OneDnnDisabled, OneDnnRecurrentWorkaround.Problem);
        foreach (RecurrentCell cell in Enum.GetValues<RecurrentCell>())
        {
            using var encoder = new RecurrentEncoder(new RecurrentEncoderOptions { VocabularySize = 10, EmbeddingSize = 4, HiddenSize = 8, Cell = cell });
            Assert.IsFalse(encoder.PaddedInference, $"{cell}: with oneDNN off, padded and packed prediction run the same kernels and packing skips the padding");
        }
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, 8, false)]
    [DataRow(RecurrentCell.Lstm, 16, false)]
    [DataRow(RecurrentCell.Lstm, 24, false)]
    [DataRow(RecurrentCell.Lstm, 40, false)]
    [DataRow(RecurrentCell.Lstm, 100, false)]
    [DataRow(RecurrentCell.Lstm, 128, false)]
    [DataRow(RecurrentCell.Lstm, 16, true)]
    [DataRow(RecurrentCell.Gru, 16, false)]
    [DataRow(RecurrentCell.Rnn, 40, true)]
    public void PredictionMatchesTheAutogradComputationAloneAndInABatch(RecurrentCell cell, int hidden, bool bidirectional)
    {
        TorchRuntime.EnsureLoaded();
        var options = new RecurrentEncoderOptions { VocabularySize = 20, EmbeddingSize = 12, HiddenSize = hidden, Cell = cell, Bidirectional = bidirectional, NumberOfLayers = 2 };
        foreach (SequencePooling pooling in Enum.GetValues<SequencePooling>())
        foreach (bool padded in new[] { false, true }) // packed prediction (the default with oneDNN off) and the padded path
        {
            using var encoder = new RecurrentEncoder(options with { Pooling = pooling }, new Generator(5)) { PaddedInference = padded };
            encoder.eval();
            using var scope = NewDisposeScope();
            var rng = new Random(hidden);
            int[][] rows = Enumerable.Range(0, 9).Select(i => Enumerable.Range(0, rng.Next(1, 12)).Select(_ => rng.Next(2, 20)).ToArray()).ToArray();
            var batcher = new SequenceBatcher(rows, null, null, rows.Length, bucketByLength: false, seed: 0, CPU);
            using SequenceBatch batch = batcher.MakeBatch(Enumerable.Range(0, rows.Length).ToArray());

            Tensor reference;
            using (enable_grad())
                reference = encoder.call(batch.Tokens, batch.Lengths).detach();
            Tensor batched;
            using (inference_mode())
                batched = encoder.call(batch.Tokens, batch.Lengths);
            Assert.IsTrue(batched.allclose(reference, rtol: 1e-4, atol: 1e-5), $"{cell} h{hidden} {pooling} padded={padded}: batch, max diff {(batched - reference).abs().max().item<float>()}");
            for (int i = 0; i < rows.Length; i++)
            {
                Tensor alone;
                using (inference_mode())
                    alone = encoder.call(tensor(rows[i].Select(t => (long)t).ToArray(), new long[] { 1, rows[i].Length }), tensor(new long[] { rows[i].Length }));
                Assert.IsTrue(alone[0].allclose(reference[i], rtol: 1e-4, atol: 1e-5), $"{cell} h{hidden} {pooling} padded={padded}: row {i} alone");
            }
        }
    }
}
