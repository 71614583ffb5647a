using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>The classifier/regressor network as ONNX nodes: the embedding <c>Gather</c>, the recurrent layers (<see cref="RecurrentLayersOnnx"/>), masked pooling and the linear head.</summary>
internal static class SequenceModelOnnx
{
    /// <summary>
    /// The classifier/regressor network (<see cref="RecurrentSequenceModel"/>) from sanitized ids <c>[N, T]</c> and
    /// lengths <c>[N]</c>: returns the raw outputs <c>[N, outputs]</c> (logits, or the regression value).
    /// </summary>
    public static string SequenceModel(OnnxGraph g, RecurrentSequenceModel model, string rowIds, string rowLengths)
    {
        RecurrentEncoderOptions o = model.Encoder.Options;
        // The recurrent layers read the first RecurrentLength tokens of each row; the bag (at the end) the whole row.
        string ids = rowIds, lengths = rowLengths;
        if (o.RecurrentLength > 0)
        {
            ids = g.Slice(rowIds, 0, o.RecurrentLength, 1);
            lengths = g.Min(rowLengths, g.Int64Scalar(o.RecurrentLength));
        }
        IReadOnlyDictionary<string, Tensor> weights = model.state_dict();
        int directions = o.Bidirectional ? 2 : 1;

        string embedding = g.Floats(RecurrentLayersOnnx.Read(weights, "encoder.embedding.weight"), new long[] { o.VocabularySize, o.EmbeddingSize }, "embedding");
        string embedded = g.Transpose(g.Gather(embedding, ids), 1, 0, 2); // [T, N, E]
        string clamped = g.Max(lengths, g.Int64Scalar(1));
        string sequenceLengths = g.Cast(clamped, typeof(int));
        List<(string Hidden, string? Cell)>? initial = null;
        float[]? initialHidden = null;
        if (o.LearnInitialState)
        {
            // The learned states [layers × directions, H], repeated over the batch: [directions, N, H] per layer.
            initialHidden = RecurrentLayersOnnx.Read(weights, "encoder.initial_hidden");
            float[]? initialCell = o.Cell == RecurrentCell.Lstm ? RecurrentLayersOnnx.Read(weights, "encoder.initial_cell") : null;
            string shape = g.Concat(0, g.Int64(directions), g.Dim(ids, 0), g.Int64(o.HiddenSize));
            string Repeat(float[] values, int layer, string name) => g.Node("Expand",
                g.Floats(values[(layer * directions * o.HiddenSize)..((layer + 1) * directions * o.HiddenSize)], new long[] { directions, 1, o.HiddenSize }, $"{name}{layer}"), shape);
            initial = Enumerable.Range(0, o.NumberOfLayers)
                .Select(k => (Repeat(initialHidden, k, "initial_hidden"), initialCell is null ? null : Repeat(initialCell, k, "initial_cell")))
                .ToList();
        }
        var (output, lastHidden) = RecurrentLayersOnnx.Layers(g, embedded, sequenceLengths, o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumberOfLayers,
            o.Bidirectional, weights, "encoder.rnn.", initial);

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
        // Rows of length 0 get the initial state, as in RecurrentEncoder: the last layer's learned one for LastHidden
        // pooling, else zeros.
        if (initialHidden is not null && o.Pooling == SequencePooling.LastHidden)
        {
            int width = directions * o.HiddenSize;
            string start = g.Floats(initialHidden[((o.NumberOfLayers - 1) * width)..], new long[] { 1, width }, "empty_row_state");
            pooled = g.Where(g.Unsqueeze(g.Greater(lengths, g.Int64Scalar(0)), 1), pooled, start);
        }
        else
        {
            string nonEmpty = g.Unsqueeze(g.Cast(g.Greater(lengths, g.Int64Scalar(0)), typeof(float)), 1);
            pooled = g.Mul(pooled, nonEmpty);
        }

        string headWeight = g.Floats(RecurrentLayersOnnx.Read(weights, "head.weight"), new long[] { model.Outputs, o.OutputSize }, "head_weight");
        string headBias = g.Floats(RecurrentLayersOnnx.Read(weights, "head.bias"), new long[] { model.Outputs }, "head_bias");
        string scores = g.NodeWith("Gemm", new[] { pooled, headWeight, headBias }, n => n.AddAttribute("transB", 1L));
        return o.NGramLength == 0 ? scores : g.Add(scores, BagOfNGrams(g, o, model.Outputs, weights, rowIds, rowLengths));
    }

    /// <summary>
    /// <see cref="NGramBag"/>: the row's word and hashed word-pair weights summed and scaled (by the square root of their count, or older models' count), <c>[N, outputs]</c>, from sanitized
    /// ids <c>[N, T]</c> (right-padded with 0) and lengths <c>[N]</c>.
    /// </summary>
    private static string BagOfNGrams(OnnxGraph g, RecurrentEncoderOptions o, int outputs, IReadOnlyDictionary<string, Tensor> weights, string ids, string lengths)
    {
        long rows = (long)o.VocabularySize + (o.NGramLength >= 2 ? o.NGramBuckets : 0);
        string table = g.Floats(RecurrentLayersOnnx.Read(weights, "ngrams.weights.weight"), new long[] { rows, outputs }, "ngram_weights");
        string positions = g.Range(g.Squeeze(g.Dim(ids, 1), 0));
        string mask = g.Less(g.Unsqueeze(positions, 0), g.Unsqueeze(lengths, 1)); // [N, T]
        string grams = ids, valid = mask;
        if (o.NGramLength >= 2)
        {
            // (a · Multiplier + b) mod buckets + vocabulary, as NGramBag hashes a word pair; a row of one token has none.
            string first = g.Slice(ids, 0, -1, 1), second = g.Slice(ids, 1, long.MaxValue, 1);
            string hashed = g.Add(g.Node("Mod", g.Add(g.Mul(first, g.Int64Scalar(MLNet.Recurrent.NGramBag.Multiplier)), second), g.Int64Scalar(o.NGramBuckets)), g.Int64Scalar(o.VocabularySize));
            grams = g.Concat(1, ids, hashed);
            valid = g.Concat(1, mask, g.Slice(mask, 1, long.MaxValue, 1));
        }
        string weightMask = g.Unsqueeze(g.Cast(valid, typeof(float)), 2); // [N, G, 1]
        string gathered = g.Gather(table, g.Where(valid, grams, g.Int64Scalar(0))); // [N, G, outputs]
        string sums = g.Reduce("ReduceSum", g.Mul(gathered, weightMask), new long[] { 1 }, keepDims: false);
        string counts = g.Max(g.Reduce("ReduceSum", weightMask, new long[] { 1 }, keepDims: false), g.FloatScalar(1));
        return g.Div(sums, o.NGramSquareRootScaling ? g.Node("Sqrt", counts) : counts);
    }

}
