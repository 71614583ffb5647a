using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// The recurrent layers as ONNX nodes: ONNX's own <c>LSTM</c>/<c>GRU</c>/<c>RNN</c> operators with <c>sequence_lens</c> (one per layer,
/// <c>direction="bidirectional"</c> for bidirectional layers), with the weights of libtorch's layers reordered.
/// </summary>
/// <remarks>
/// Weight layouts. PyTorch stores an LSTM's gates as (input, forget, cell, output), ONNX as (input, output, forget,
/// cell); a GRU's as (reset, update, new) against ONNX's (update, reset, hidden), and PyTorch's GRU is ONNX's
/// <c>linear_before_reset=1</c>. ONNX's bias is <c>[Wb; Rb]</c> = PyTorch's <c>[bias_ih; bias_hh]</c>, each reordered the
/// same way. Tensors are <c>[directions, gates × hidden, input]</c>, forward direction first.
/// </remarks>
internal static class RecurrentLayersOnnx
{
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
