using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// <see cref="LanguageModelTransformer"/>'s scoring columns as ONNX nodes: token ids <c>[N, T]</c> in;
/// <c>LogLikelihood</c> (Σ ln p(t<sub>i</sub> | t<sub>&lt;i</sub>), i ≥ 1), <c>TokenCount</c> (n − 1) and
/// <c>Perplexity</c> out, each <c>[N, 1]</c>, with the transformer's token-id rules (ids 0 dropped, ids outside the
/// vocabulary read as &lt;unk&gt;) and its double-precision sums.
/// </summary>
internal static class LanguageModelOnnx
{
    public static void Save(OnnxContext ctx, LanguageModelTransformer transformer)
    {
        LanguageModelColumns columns = transformer.Columns;
        if (!ctx.ContainsColumn(columns.Input))
            throw new InvalidOperationException(
                $"Cannot export the language model to ONNX: its token-id column '{columns.Input}' is not available in the ONNX graph " +
                "(the component that produces it could not be exported).");
        var g = new OnnxGraph(ctx, "LanguageModel");
        using var use = transformer.Use();
        RecurrentLanguageModel model = use.Module;
        LanguageModelArchitecture a = model.Architecture;
        string raw = g.Cast(ctx.GetVariableName(columns.Input), typeof(long));
        var (ids, lengths) = TokenIdsOnnx.Sanitize(g, raw, a.VocabularySize, 0);

        string logProbabilities = LogProbabilities(g, model, ids, g.Cast(g.Max(lengths, g.Int64Scalar(1)), typeof(int)), null, null).LogProbabilities; // [N, T, V]
        // Position t predicts the id at t + 1; positions t ≥ length − 1 predict nothing.
        string targets = g.Concat(1, g.Slice(ids, 1, long.MaxValue, 1), g.ZerosInt64(g.Concat(0, g.Dim(ids, 0), g.Int64(1))));
        string picked = g.Squeeze(g.NodeWith("GatherElements", new[] { logProbabilities, g.Unsqueeze(targets, 2) }, n => n.AddAttribute("axis", 2L)), 2);
        string positions = g.Unsqueeze(g.Range(g.Squeeze(g.Dim(ids, 1), 0)), 0);
        string count = g.Max(g.Sub(lengths, g.Int64Scalar(1)), g.Int64Scalar(0));
        string predicted = g.Less(positions, g.Unsqueeze(count, 1));
        string sum = g.Reduce("ReduceSum", g.Where(predicted, g.Cast(picked, typeof(double)), g.Context.AddInitializer(0.0, "LanguageModel.zero")), new long[] { 1 }, keepDims: true); // [N, 1] double
        string countColumn = g.Unsqueeze(count, 1);

        g.NodeWith("Cast", new[] { sum }, n => n.AddAttribute("to", typeof(float)), output: g.DeclareColumn(NumberDataViewType.Single, columns.LogLikelihood));
        g.NodeWith("Cast", new[] { countColumn }, n => n.AddAttribute("to", typeof(int)), output: g.DeclareColumn(NumberDataViewType.Int32, columns.TokenCount));
        // exp(−LL / count): 0 / 0 gives NaN for rows with no predicted token, as the transformer does.
        string perplexity = g.Node("Exp", g.Div(g.Node("Neg", sum), g.Cast(countColumn, typeof(double))));
        g.NodeWith("Cast", new[] { perplexity }, n => n.AddAttribute("to", typeof(float)), output: g.DeclareColumn(NumberDataViewType.Single, columns.Perplexity));
    }

    /// <summary>The one-step model (<see cref="LanguageModelStepModel"/>): token id and states in; log-probabilities and new states out.</summary>
    public static void SaveStep(OnnxContext ctx, LanguageModelStepTransformer step)
    {
        var g = new OnnxGraph(ctx, "LanguageModelStep");
        using var use = step.Model.Use();
        RecurrentLanguageModel model = use.Module;
        LanguageModelArchitecture a = model.Architecture;
        bool lstm = a.Cell == RecurrentCell.Lstm;
        string token = g.Reshape(g.Cast(ctx.GetVariableName(LanguageModelStepModel.TokenIdColumnName), typeof(long)), -1, 1); // [N, 1]
        string outside = g.Or(g.Less(token, g.Int64Scalar(0)), g.Not(g.Less(token, g.Int64Scalar(a.VocabularySize))));
        token = g.Where(outside, g.Int64Scalar(TokenVocabulary.UnknownId), token);
        string hidden = ctx.GetVariableName(LanguageModelStepModel.HiddenColumnName);
        string? cell = lstm ? ctx.GetVariableName(LanguageModelStepModel.CellColumnName) : null;
        var initial = new List<(string Hidden, string? Cell)>();
        for (int k = 0; k < a.NumberOfLayers; k++)
        {
            string Layer(string state) => g.Unsqueeze(g.Slice(state, (long)k * a.HiddenSize, (long)(k + 1) * a.HiddenSize, 1), 0); // [1, N, H]
            initial.Add((Layer(hidden), cell is null ? null : Layer(cell)));
        }
        var final = new List<(string Hidden, string? Cell)>();
        var (logProbabilities, _) = LogProbabilities(g, model, token, null, initial, final); // [N, 1, V]
        g.NodeWith("Squeeze", new[] { logProbabilities }, n => n.AddAttribute("axes", new long[] { 1 }),
            output: g.DeclareColumn(new VectorDataViewType(NumberDataViewType.Single, a.VocabularySize), LanguageModelStepModel.LogProbabilitiesColumnName));
        var stateType = new VectorDataViewType(NumberDataViewType.Single, step.StateSize);
        g.NodeWith("Concat", final.Select(f => g.Squeeze(f.Hidden, 0)).ToArray(), n => n.AddAttribute("axis", 1L),
            output: g.DeclareColumn(stateType, LanguageModelStepModel.NextHiddenColumnName));
        if (lstm)
            g.NodeWith("Concat", final.Select(f => g.Squeeze(f.Cell!, 0)).ToArray(), n => n.AddAttribute("axis", 1L),
                output: g.DeclareColumn(stateType, LanguageModelStepModel.NextCellColumnName));
    }

    /// <summary>
    /// Embedding → recurrent layers → decoder → log-softmax over ids <c>[N, T]</c>: returns log-probabilities <c>[N, T, V]</c>
    /// and (when <paramref name="initialStates"/> is given) each layer's final states.
    /// </summary>
    public static (string LogProbabilities, List<(string Hidden, string? Cell)> States) LogProbabilities(OnnxGraph g, RecurrentLanguageModel model, string ids,
        string? sequenceLengths, IReadOnlyList<(string Hidden, string? Cell)>? initialStates, List<(string Hidden, string? Cell)>? finalStates)
    {
        LanguageModelArchitecture a = model.Architecture;
        IReadOnlyDictionary<string, Tensor> weights = model.state_dict();
        float[] embeddingValues = RecurrentLayersOnnx.Read(weights, "embedding.weight");
        string embedding = g.Floats(embeddingValues, new long[] { a.VocabularySize, a.EmbeddingSize }, "embedding");
        string embedded = g.Transpose(g.Gather(embedding, ids), 1, 0, 2); // [T, N, E]
        var (output, _) = RecurrentLayersOnnx.Layers(g, embedded, sequenceLengths, a.Cell, a.EmbeddingSize, a.HiddenSize, a.NumberOfLayers, false, weights, "rnn.",
            initialStates, finalStates);
        string steps = g.Transpose(output, 1, 0, 2); // [N, T, H]
        string decoderWeight, decoderBias;
        if (a.TieWeights)
        {
            decoderWeight = g.Floats(Transpose(embeddingValues, a.VocabularySize, a.EmbeddingSize), new long[] { a.EmbeddingSize, a.VocabularySize }, "decoder_weight");
            decoderBias = g.Floats(RecurrentLayersOnnx.Read(weights, "decoderBias"), new long[] { a.VocabularySize }, "decoder_bias");
        }
        else
        {
            decoderWeight = g.Floats(Transpose(RecurrentLayersOnnx.Read(weights, "decoder.weight"), a.VocabularySize, a.HiddenSize), new long[] { a.HiddenSize, a.VocabularySize }, "decoder_weight");
            decoderBias = g.Floats(RecurrentLayersOnnx.Read(weights, "decoder.bias"), new long[] { a.VocabularySize }, "decoder_bias");
        }
        string logits = g.Add(g.Node("MatMul", steps, decoderWeight), decoderBias);
        return (g.NodeWith("LogSoftmax", new[] { logits }, n => n.AddAttribute("axis", 2L)), finalStates ?? new());
    }

    private static float[] Transpose(float[] values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return result;
    }
}
