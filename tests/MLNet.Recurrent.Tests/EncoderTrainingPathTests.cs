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
    [DataRow(RecurrentCell.Lstm, false)]
    [DataRow(RecurrentCell.Gru, false)]
    [DataRow(RecurrentCell.Rnn, false)]
    [DataRow(RecurrentCell.Lstm, true)]
    [DataRow(RecurrentCell.Gru, true)]
    [DataRow(RecurrentCell.Rnn, true)]
    public void PaddedTrainingBatchGivesTheOutputsAndGradientsOfRowsAlone(RecurrentCell cell, bool bidirectional)
    {
        TorchRuntime.EnsureLoaded();
        var options = new RecurrentEncoderOptions { VocabularySize = 20, EmbeddingSize = 6, HiddenSize = 17, Cell = cell, NumberOfLayers = 2, Bidirectional = bidirectional };
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
            var batchGradients = encoder.parameters().Select(p => Dense(p.grad!)).ToList(); // the embedding's gradient is sparse
            Tensor batchedOutputs = batched.detach();

            encoder.zero_grad();
            for (int i = 0; i < rows.Length; i++)
            {
                Tensor alone = encoder.call(tensor(rows[i].Select(t => (long)t).DefaultIfEmpty(0L).ToArray(), new long[] { 1, Math.Max(1, rows[i].Length) }), tensor(new long[] { rows[i].Length }));
                Assert.IsTrue(alone[0].allclose(batchedOutputs[i], rtol: 1e-4, atol: 1e-5), $"{cell} {pooling}: row {i} (length {rows[i].Length}) differs in the batch");
                (alone[0] * weights[i]).sum().backward();
            }
            var aloneGradients = encoder.parameters().Select(p => Dense(p.grad!)).ToList();
            for (int k = 0; k < batchGradients.Count; k++)
                Assert.IsTrue(batchGradients[k].allclose(aloneGradients[k], rtol: 1e-4, atol: 1e-5),
                    $"{cell} {pooling}: gradient of parameter {k} differs, max diff {(batchGradients[k] - aloneGradients[k]).abs().max().item<float>()}");
        }
    }
    [TestMethod]
    [DataRow(RecurrentCell.Lstm)]
    [DataRow(RecurrentCell.Gru)]
    [DataRow(RecurrentCell.Rnn)]
    public void BidirectionalEncoderComputesPyTorchsFusedBidirectionalLayerUnderItsParameterNames(RecurrentCell cell)
    {
        TorchRuntime.EnsureLoaded();
        var options = new RecurrentEncoderOptions { VocabularySize = 20, EmbeddingSize = 6, HiddenSize = 17, Cell = cell, NumberOfLayers = 2, Bidirectional = true, Pooling = SequencePooling.LastHidden };
        using var encoder = new RecurrentEncoder(options, new Generator(5));
        using nn.Module fused = cell switch
        {
            RecurrentCell.Lstm => nn.LSTM(6, 17, 2, batchFirst: true, bidirectional: true),
            RecurrentCell.Gru => nn.GRU(6, 17, 2, batchFirst: true, bidirectional: true),
            _ => nn.RNN(6, 17, 2, batchFirst: true, bidirectional: true),
        };
        using var scope = NewDisposeScope();
        var encoderState = encoder.state_dict();
        var fusedState = fused.state_dict();
        CollectionAssert.AreEquivalent(fusedState.Keys.Select(k => "rnn." + k).Append("embedding.weight").ToList(), encoderState.Keys.ToList());
        using (no_grad())
        {
            foreach (var (name, tensor) in fusedState)
                tensor.copy_(encoderState["rnn." + name]);
        }

        long[] lengths = { 5, 1, 9, 3 };
        Tensor tokens = zeros(4, 9, ScalarType.Int64);
        for (int b = 0; b < 4; b++)
            tokens[b, ..(int)lengths[b]] = tensor(Enumerable.Range(2, (int)lengths[b]).Select(i => (long)i).ToArray()); // no arange: its implicit step scalar (see ConcurrencyTests)
        Tensor lengthTensor = tensor(lengths);
        foreach (bool training in new[] { true, false })
        {
            encoder.train(training);
            using var grad = training ? enable_grad() : no_grad();
            Tensor ours = encoder.call(tokens, lengthTensor);
            var packed = nn.utils.rnn.pack_padded_sequence(encoder.Embedding.call(tokens), lengthTensor, batch_first: true, enforce_sorted: false);
            Tensor hidden = fused switch
            {
                TorchSharp.Modules.LSTM lstm => lstm.call(packed, null).Item2,
                TorchSharp.Modules.GRU gru => gru.call(packed, null).Item2,
                TorchSharp.Modules.RNN rnn => rnn.call(packed, null).Item2,
                _ => throw new InvalidOperationException(),
            };
            Tensor reference = cat(new[] { hidden[2], hidden[3] }, 1);
            Assert.IsTrue(ours.allclose(reference, rtol: 1e-4, atol: 1e-5), $"{cell}, training {training}: max diff {(ours - reference).abs().max().item<float>()}");
        }
    }

    /// <summary>A gradient as a dense tensor (the token embedding's is sparse: one entry per looked-up token).</summary>
    private static Tensor Dense(Tensor gradient) => gradient.is_sparse ? gradient.to_dense() : gradient.clone();
}
