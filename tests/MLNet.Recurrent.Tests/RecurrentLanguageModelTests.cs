using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class RecurrentLanguageModelTests
{
    [TestMethod]
    [DataRow(6)]
    [DataRow(33)]
    [DataRow(100)]
    public void FusedLstmGivesTheSameOutputsWithAndWithoutGradients(int hiddenSize)
    {
        // libtorch 2.10's oneDNN LSTM inference path is wrong for these sizes; TorchRuntime turns oneDNN off.
        TorchRuntime.EnsureLoaded();
        Assert.IsNull(OneDnnRecurrentWorkaround.Problem);
        // Under the training lock: creating modules draws from the global generator, which trainings in parallel tests seed.
        string? failure = TrainingRandomness.Run(1, g =>
        {
            using var lstm = nn.LSTM(8, hiddenSize, 2, batchFirst: true);
            using var scope = NewDisposeScope();
            Tensor x = randn(new long[] { 2, 5, 8 }, generator: g);
            Tensor withGradients = lstm.call(x, null).Item1.detach();
            Tensor inference;
            using (no_grad())
                inference = lstm.call(x, null).Item1;
            return inference.allclose(withGradients, rtol: 1e-5, atol: 1e-6) ? null : $"max difference {(inference - withGradients).abs().max().item<float>()}";
        });
        Assert.IsNull(failure);
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, false)]
    [DataRow(RecurrentCell.Gru, false)]
    [DataRow(RecurrentCell.Rnn, true)]
    public void SingleStepCellsComputeWhatTheFusedLayersComputeAndShareTheirWeights(RecurrentCell cell, bool tie)
    {
        TorchRuntime.EnsureLoaded();
        var architecture = new LanguageModelArchitecture { VocabularySize = 9, Cell = cell, EmbeddingSize = 6, HiddenSize = 6, NumberOfLayers = 2, TieWeights = tie };
        using var model = TrainingRandomness.Run(3, g => new RecurrentLanguageModel(architecture, g));
        model.eval();
        long[] ids = { 3, 7, 2, 8, 5 };
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        Tensor fused = model.call(tensor(ids, new long[] { 1, ids.Length }), null).Logits[0];
        Tensor[] hidden = { zeros(1, 6), zeros(1, 6) };
        Tensor[]? cells = cell == RecurrentCell.Lstm ? new[] { zeros(1, 6), zeros(1, 6) } : null;
        for (int t = 0; t < ids.Length; t++)
        {
            Tensor stepped = model.Step(tensor(new[] { ids[t] }), hidden, cells)[0];
            Assert.IsTrue(stepped.allclose(fused[t], rtol: 1e-4, atol: 1e-5), $"step {t}");
        }

        // The cells use the recurrent layer's own tensors: changing the model changes the steps.
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.StartsWith("rnn.", StringComparison.Ordinal))
                p.zero_();
        }
        Tensor[] h = { zeros(1, 6), zeros(1, 6) };
        Tensor[]? c = cell == RecurrentCell.Lstm ? new[] { zeros(1, 6), zeros(1, 6) } : null;
        model.Step(tensor(new[] { 4L }), h, c);
        Assert.AreEqual(0f, h[1].abs().max().item<float>(), "zero recurrent weights and biases leave the state at zero");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void OutputBiasStartsAtTheSmoothedLogUnigramFrequencies(bool tie)
    {
        TorchRuntime.EnsureLoaded();
        var architecture = new LanguageModelArchitecture { VocabularySize = 4, Cell = RecurrentCell.Lstm, EmbeddingSize = 6, HiddenSize = 6, NumberOfLayers = 1, TieWeights = tie };
        using var model = TrainingRandomness.Run(3, g => new RecurrentLanguageModel(architecture, g));
        model.InitializeOutputBias(new long[] { 0, 5, 1, 10 });
        using var scope = NewDisposeScope();
        Tensor bias = model.named_parameters().Single(p => p.name is "decoder.bias" or "decoderBias").parameter;
        float[] actual = bias.data<float>().ToArray();
        double total = 16 + 4; // add-one smoothing over four tokens
        double[] expected = { Math.Log(1 / total), Math.Log(6 / total), Math.Log(2 / total), Math.Log(11 / total) };
        for (int i = 0; i < 4; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-6, $"token {i}");
        // softmax(bias) is the smoothed unigram distribution.
        Assert.AreEqual(1.0, actual.Sum(x => Math.Exp(x)), 1e-6);
        Assert.ThrowsExactly<ArgumentException>(() => model.InitializeOutputBias(new long[] { 1, 2, 3 }));
    }

    [TestMethod]
    public void KerasInitializationIsGlorotInputOrthogonalRecurrentAndUnitForgetBias()
    {
        TorchRuntime.EnsureLoaded();
        const int hidden = 5, input = 3;
        var architecture = new LanguageModelArchitecture { VocabularySize = 4, Cell = RecurrentCell.Lstm, EmbeddingSize = input, HiddenSize = hidden, NumberOfLayers = 2 };
        using var lstm = TrainingRandomness.Run(3, g => { var m = new RecurrentLanguageModel(architecture, g); m.InitializeKeras(g); return m; });
        AssertKeras(lstm, RecurrentCell.Lstm, hidden, expectedKernels: 4);

        var encoderOptions = new RecurrentEncoderOptions { VocabularySize = 4, Cell = RecurrentCell.Gru, EmbeddingSize = input, HiddenSize = hidden, NumberOfLayers = 2, Bidirectional = true };
        using var gru = TrainingRandomness.Run(3, g => { var m = new RecurrentEncoder(encoderOptions, g); m.InitializeKeras(g); return m; });
        AssertKeras(gru, RecurrentCell.Gru, hidden, expectedKernels: 8);

        using var again = TrainingRandomness.Run(3, g => { var m = new RecurrentLanguageModel(architecture, g); m.InitializeKeras(g); return m; });
        float[][] first = Snapshot(lstm), second = Snapshot(again);
        for (int i = 0; i < first.Length; i++)
            CollectionAssert.AreEqual(first[i], second[i], "the same seed gives the same start");
    }

    private static float[][] Snapshot(nn.Module module) =>
        module.named_parameters().Select(p => p.parameter.data<float>().ToArray()).ToArray();

    /// <summary>
    /// weight_ih within the Glorot bound, weight_hh with orthonormal columns, biases zero but an LSTM's bias_ih forget
    /// slice [h, 2h), which is 1.
    /// </summary>
    private static void AssertKeras(nn.Module module, RecurrentCell cell, int hidden, int expectedKernels)
    {
        using var scope = NewDisposeScope();
        int kernels = 0;
        foreach (var (name, p) in module.named_parameters())
        {
            string local = name[(name.LastIndexOf('.') + 1)..];
            float[] values = p.data<float>().ToArray();
            if (local.StartsWith("weight_ih_l"))
            {
                double limit = Math.Sqrt(6.0 / (p.shape[0] + p.shape[1]));
                Assert.IsTrue(values.All(v => Math.Abs(v) <= limit), $"{name}: Glorot-uniform within ±{limit}");
                kernels++;
            }
            else if (local.StartsWith("weight_hh_l"))
            {
                Tensor gram = p.t().matmul(p);
                float[] g = gram.data<float>().ToArray();
                for (int i = 0; i < hidden; i++)
                    for (int j = 0; j < hidden; j++)
                        Assert.AreEqual(i == j ? 1.0 : 0.0, g[i * hidden + j], 1e-5, $"{name}: columns {i} and {j}");
                kernels++;
            }
            else if (local.StartsWith("bias_"))
            {
                bool forgetSlice = cell == RecurrentCell.Lstm && local.StartsWith("bias_ih_l");
                for (int j = 0; j < values.Length; j++)
                    Assert.AreEqual(forgetSlice && j >= hidden && j < 2 * hidden ? 1f : 0f, values[j], $"{name}[{j}]");
            }
        }
        Assert.AreEqual(expectedKernels, kernels, "input and recurrent kernels seen");
    }
}
