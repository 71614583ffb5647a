using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// The recurrent networks as ONNX nodes: sanitizing a token-id tensor as the TorchSharp path reads it, the embedding
/// <c>Gather</c>, ONNX's own <c>LSTM</c>/<c>GRU</c>/<c>RNN</c> operators with <c>sequence_lens</c> (one per layer,
/// <c>direction="bidirectional"</c> for bidirectional layers), masked pooling and the linear head.
/// </summary>
/// <remarks>
/// Weight layouts. PyTorch stores an LSTM's gates as (input, forget, cell, output), ONNX as (input, output, forget,
/// cell); a GRU's as (reset, update, new) against ONNX's (update, reset, hidden), and PyTorch's GRU is ONNX's
/// <c>linear_before_reset=1</c>. ONNX's bias is <c>[Wb; Rb]</c> = PyTorch's <c>[bias_ih; bias_hh]</c>, each reordered the
/// same way. Tensors are <c>[directions, gates × hidden, input]</c>, forward direction first.
/// </remarks>
internal static class RecurrentOnnx
{
    /// <summary>
    /// The token-id contract of the recurrent scorers (TokenIdReader): ids 0 are dropped wherever they are, the rest
    /// are moved left in order; ids outside <c>[0, vocabularySize)</c> become 1 (&lt;unk&gt;); at most
    /// <paramref name="maximumLength"/> (0 = all) are kept, the first ones. Returns int64 ids <c>[N, T']</c> (T' ≥ 1,
    /// right-padded with 0) and int64 lengths <c>[N]</c> (may be 0).
    /// </summary>
    public static (string Ids, string Lengths) Sanitize(OnnxGraph g, string ids64, int vocabularySize, int maximumLength)
    {
        string zero = g.Int64Scalar(0);
        string present = g.Not(g.Equal(ids64, zero));
        string presentCount = g.Cast(present, typeof(long));
        string lengths = g.Reduce("ReduceSum", presentCount, new long[] { 1 }, keepDims: false);
        string position = g.Sub(g.CumSum(presentCount, 1), g.Int64Scalar(1));
        string width = g.RuntimeWidth(ids64); // not g.Dim: the input comes from another component (see RuntimeWidth)
        // Every dropped id goes to an extra last column, which is cut off below.
        string target = g.Where(present, position, width);
        string shape = g.Concat(0, g.Dim(ids64, 0), g.Add(width, g.Int64(1)));
        string compact = g.NodeWith("ScatterElements", new[] { g.ZerosInt64(shape), target, ids64 }, n => n.AddAttribute("axis", 1L));
        if (maximumLength > 0)
            lengths = g.Min(lengths, g.Int64Scalar(maximumLength));
        string keep = g.Max(g.Reduce("ReduceMax", lengths, new long[] { 0 }, keepDims: true), g.Int64(1));
        compact = g.Slice(compact, g.Int64(0), keep, 1);
        string outside = g.Or(g.Less(compact, zero), g.Not(g.Less(compact, g.Int64Scalar(vocabularySize))));
        compact = g.Where(outside, g.Int64Scalar(TokenVocabulary.UnknownId), compact);
        return (compact, lengths);
    }

    /// <summary>
    /// Runs the recurrent layers of <paramref name="cell"/> over embedded input <c>[T, N, E]</c> with per-row
    /// <paramref name="sequenceLengths"/> (int32 <c>[N]</c>, every entry ≥ 1). Returns the last layer's outputs
    /// <c>[T, N, directions × H]</c> and its final states <c>[directions, N, H]</c> (forward direction after each row's
    /// last real token, reverse direction after its first); with <paramref name="initialStates"/> / <paramref name="finalStates"/>
    /// (one per layer: hidden, and cell for an LSTM) the caller passes and receives the states.
    /// </summary>
    public static (string Output, string LastHidden) Layers(OnnxGraph g, string input, string? sequenceLengths, RecurrentCell cell,
        int inputSize, int hiddenSize, int layers, bool bidirectional, IReadOnlyDictionary<string, Tensor> weights, string prefix,
        IReadOnlyList<(string Hidden, string? Cell)>? initialStates = null, List<(string Hidden, string? Cell)>? finalStates = null)
    {
        int directions = bidirectional ? 2 : 1;
        string x = input, lastHidden = "";
        for (int layer = 0; layer < layers; layer++)
        {
            int size = layer == 0 ? inputSize : directions * hiddenSize;
            var (w, r, b) = LayerWeights(cell, hiddenSize, size, directions, layer, weights, prefix);
            string W = g.Floats(w, new long[] { directions, Gates(cell) * hiddenSize, size }, $"W{layer}");
            string R = g.Floats(r, new long[] { directions, Gates(cell) * hiddenSize, hiddenSize }, $"R{layer}");
            string B = g.Floats(b, new long[] { directions, 2L * Gates(cell) * hiddenSize }, $"B{layer}");
            var inputs = new List<string> { x, W, R, B, sequenceLengths ?? "" };
            if (initialStates is not null)
            {
                inputs.Add(initialStates[layer].Hidden);
                if (cell == RecurrentCell.Lstm)
                    inputs.Add(initialStates[layer].Cell!);
            }
            string op = cell switch { RecurrentCell.Lstm => "LSTM", RecurrentCell.Gru => "GRU", _ => "RNN" };
            string[] outputNames = cell == RecurrentCell.Lstm && finalStates is not null ? new[] { "Y", "Y_h", "Y_c" } : new[] { "Y", "Y_h" };
            string[] outputs = g.NodeMulti(op, inputs.ToArray(), outputNames, n =>
            {
                n.AddAttribute("hidden_size", (long)hiddenSize);
                n.AddAttribute("direction", bidirectional ? "bidirectional" : "forward");
                if (cell == RecurrentCell.Gru)
                    n.AddAttribute("linear_before_reset", 1L);
            });
            lastHidden = outputs[1];
            finalStates?.Add((outputs[1], cell == RecurrentCell.Lstm ? outputs[2] : null));
            // Y: [T, directions, N, H] → [T, N, directions × H] (forward half first, as PyTorch concatenates).
            x = bidirectional
                ? g.Reshape(g.Transpose(outputs[0], 0, 2, 1, 3), 0, 0, -1)
                : g.Squeeze(outputs[0], 1);
        }
        return (x, lastHidden);
    }

    /// <summary>
    /// The classifier/regressor network (<see cref="RecurrentSequenceModel"/>) from sanitized ids <c>[N, T]</c> and
    /// lengths <c>[N]</c>: returns the raw outputs <c>[N, outputs]</c> (logits, or the regression value).
    /// </summary>
    public static string SequenceModel(OnnxGraph g, RecurrentSequenceModel model, string ids, string lengths)
    {
        RecurrentEncoderOptions o = model.Encoder.Options;
        IReadOnlyDictionary<string, Tensor> weights = model.state_dict();
        int directions = o.Bidirectional ? 2 : 1;

        string embedding = g.Floats(Read(weights, "encoder.embedding.weight"), new long[] { o.VocabularySize, o.EmbeddingSize }, "embedding");
        string embedded = g.Transpose(g.Gather(embedding, ids), 1, 0, 2); // [T, N, E]
        string clamped = g.Max(lengths, g.Int64Scalar(1));
        string sequenceLengths = g.Cast(clamped, typeof(int));
        var (output, lastHidden) = Layers(g, embedded, sequenceLengths, o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumberOfLayers,
            o.Bidirectional, weights, "encoder.rnn.");

        string pooled;
        if (o.Pooling == SequencePooling.LastHidden)
        {
            // [directions, N, H] → [N, directions × H], forward direction first.
            pooled = g.Reshape(g.Transpose(lastHidden, 1, 0, 2), 0, -1);
        }
        else
        {
            string steps = g.Transpose(output, 1, 0, 2); // [N, T, D]
            string positions = g.Range(g.Squeeze(g.Dim(ids, 1), 0));
            string mask = g.Unsqueeze(g.Less(g.Unsqueeze(positions, 0), g.Unsqueeze(clamped, 1)), 2); // [N, T, 1]
            if (o.Pooling == SequencePooling.Mean)
            {
                string sum = g.Reduce("ReduceSum", g.Where(mask, steps, g.FloatScalar(0)), new long[] { 1 }, keepDims: false);
                pooled = g.Div(sum, g.Unsqueeze(g.Cast(clamped, typeof(float)), 1));
            }
            else
            {
                pooled = g.Reduce("ReduceMax", g.Where(mask, steps, g.FloatScalar(float.NegativeInfinity)), new long[] { 1 }, keepDims: false);
            }
        }
        // Rows of length 0 get the initial (zero) state, as in RecurrentEncoder.
        string nonEmpty = g.Unsqueeze(g.Cast(g.Greater(lengths, g.Int64Scalar(0)), typeof(float)), 1);
        pooled = g.Mul(pooled, nonEmpty);

        string headWeight = g.Floats(Read(weights, "head.weight"), new long[] { model.Outputs, o.OutputSize }, "head_weight");
        string headBias = g.Floats(Read(weights, "head.bias"), new long[] { model.Outputs }, "head_bias");
        return g.NodeWith("Gemm", new[] { pooled, headWeight, headBias }, n => n.AddAttribute("transB", 1L));
    }

    /// <summary>Gates per cell: LSTM 4, GRU 3, RNN 1.</summary>
    public static int Gates(RecurrentCell cell) => cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };

    /// <summary>One layer's W, R and B in ONNX layout (both directions when <paramref name="directions"/> is 2).</summary>
    private static (float[] W, float[] R, float[] B) LayerWeights(RecurrentCell cell, int hidden, int input, int directions, int layer,
        IReadOnlyDictionary<string, Tensor> weights, string prefix)
    {
        var w = new List<float>();
        var r = new List<float>();
        var b = new List<float>();
        for (int d = 0; d < directions; d++)
        {
            string suffix = $"_l{layer}" + (d == 1 ? "_reverse" : "");
            w.AddRange(Reorder(cell, Read(weights, $"{prefix}weight_ih{suffix}"), hidden, input));
            r.AddRange(Reorder(cell, Read(weights, $"{prefix}weight_hh{suffix}"), hidden, hidden));
            b.AddRange(Reorder(cell, Read(weights, $"{prefix}bias_ih{suffix}"), hidden, 1));
            b.AddRange(Reorder(cell, Read(weights, $"{prefix}bias_hh{suffix}"), hidden, 1));
        }
        return (w.ToArray(), r.ToArray(), b.ToArray());
    }

    /// <summary>Gate blocks (each <c>hidden × columns</c>) from PyTorch's order into ONNX's.</summary>
    private static float[] Reorder(RecurrentCell cell, float[] values, int hidden, int columns)
    {
        int[] order = cell switch
        {
            RecurrentCell.Lstm => new[] { 0, 3, 1, 2 }, // (i, f, g, o) → (i, o, f, c)
            RecurrentCell.Gru => new[] { 1, 0, 2 },     // (r, z, n) → (z, r, h)
            _ => new[] { 0 },
        };
        int block = hidden * columns;
        if (values.Length != order.Length * block)
            throw new InvalidOperationException($"Unexpected recurrent weight size {values.Length} (expected {order.Length * block}).");
        var result = new float[values.Length];
        for (int k = 0; k < order.Length; k++)
            Array.Copy(values, order[k] * block, result, k * block, block);
        return result;
    }

    /// <summary>A parameter's values (row-major float32) by its state_dict name.</summary>
    public static float[] Read(IReadOnlyDictionary<string, Tensor> weights, string name)
    {
        if (!weights.TryGetValue(name, out Tensor? tensor))
            throw new InvalidOperationException($"The model has no parameter '{name}' (parameters: {string.Join(", ", weights.Keys)}).");
        using var scope = NewDisposeScope();
        Tensor cpu = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
        return MemoryMarshal.Cast<byte, float>(cpu.bytes).ToArray();
    }
}
