using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// Forward-only encoders train on padded batches (libtorch's packed-sequence backward is O(steps × tokens) per batch):
/// the outputs and the parameter gradients must equal those of computing every row on its own, i.e. padding must
/// neither change a row's result nor leak gradient.
/// </summary>
[TestClass]
public sealed class EncoderTrainingPathTests
{
    [TestMethod]
    [DataRow(RecurrentCell.Lstm)]
    [DataRow(RecurrentCell.Gru)]
    [DataRow(RecurrentCell.Rnn)]
    public void PaddedTrainingBatchGivesTheOutputsAndGradientsOfRowsAlone(RecurrentCell cell)
    {
        TorchRuntime.EnsureLoaded();
        var options = new RecurrentEncoderOptions { VocabularySize = 20, EmbeddingSize = 6, HiddenSize = 17, Cell = cell, NumberOfLayers = 2 };
        foreach (SequencePooling pooling in Enum.GetValues<SequencePooling>())
        {
            using var encoder = new RecurrentEncoder(options with { Pooling = pooling }, new Generator(3));
            encoder.train();
            using var scope = NewDisposeScope();
            var rng = new Random(7);
            int[][] rows = Enumerable.Range(0, 7).Select(i => Enumerable.Range(0, i == 0 ? 0 : rng.Next(1, 15)).Select(_ => rng.Next(2, 20)).ToArray()).ToArray();
            var batcher = new SequenceBatcher(rows, null, null, rows.Length, bucketByLength: false, seed: 0, CPU);
            using SequenceBatch batch = batcher.MakeBatch(Enumerable.Range(0, rows.Length).ToArray());
            Tensor weights = linspace(-1, 1, rows.Length * options.OutputSize).view(rows.Length, options.OutputSize);

            Tensor batched = encoder.call(batch.Tokens, batch.Lengths);
            (batched * weights).sum().backward();
            var batchGradients = encoder.parameters().Select(p => p.grad!.clone()).ToList();
            Tensor batchedOutputs = batched.detach();

            encoder.zero_grad();
            for (int i = 0; i < rows.Length; i++)
            {
                Tensor alone = encoder.call(tensor(rows[i].Select(t => (long)t).DefaultIfEmpty(0L).ToArray(), new long[] { 1, Math.Max(1, rows[i].Length) }), tensor(new long[] { rows[i].Length }));
                Assert.IsTrue(alone[0].allclose(batchedOutputs[i], rtol: 1e-4, atol: 1e-5), $"{cell} {pooling}: row {i} (length {rows[i].Length}) differs in the batch");
                (alone[0] * weights[i]).sum().backward();
            }
            var aloneGradients = encoder.parameters().Select(p => p.grad!).ToList();
            for (int k = 0; k < batchGradients.Count; k++)
                Assert.IsTrue(batchGradients[k].allclose(aloneGradients[k], rtol: 1e-4, atol: 1e-5),
                    $"{cell} {pooling}: gradient of parameter {k} differs, max diff {(batchGradients[k] - aloneGradients[k]).abs().max().item<float>()}");
        }
    }
}
