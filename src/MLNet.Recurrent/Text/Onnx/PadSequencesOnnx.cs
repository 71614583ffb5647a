using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.Recurrent;

/// <summary>
/// <see cref="PadSequencesTransformer"/> as ONNX nodes: the padded/truncated <c>[N, MaximumLength]</c> int32 column and
/// the int32 length column <c>[N, 1]</c>, with the transformer's padding and truncation sides and pad value.
/// </summary>
/// <remarks>
/// A variable-length vector column reaches an ONNX graph as one right-padded <c>[N, T]</c> tensor, so a row's length is
/// not in the tensor: for a batch of one row it is T, for larger batches it is taken as "up to the last non-zero value".
/// The two agree whenever rows do not end in 0, which holds for every TokenizeToIds output (id 0 is only padding).
/// A fixed-size input column has its size as every row's length.
/// </remarks>
internal static class PadSequencesOnnx
{
    public static void Save(OnnxContext ctx, PadSequencesTransformer transformer, DataViewType inputType)
    {
        var g = new OnnxGraph(ctx, "PadSequences");
        string input = g.Cast(ctx.GetVariableName(transformer.InputColumnName), typeof(int));
        string rows = g.Dim(input, 0), width = g.RuntimeWidth(input); // see OnnxGraph.RuntimeWidth
        string padded = g.Concat(1, input, g.Cast(g.ZerosInt64(g.Concat(0, rows, g.Int64(1))), typeof(int)));

        string lengths;
        if (inputType is VectorDataViewType { Size: > 0 } fixedSize)
        {
            lengths = g.Node("Expand", g.Int64Scalar(fixedSize.Size), rows);
        }
        else
        {
            string positions = g.Unsqueeze(g.Add(g.Range(g.Squeeze(g.Add(width, g.Int64(1)), 0)), g.Int64Scalar(1)), 0); // [1, T+1]: 1, 2, …
            string nonZero = g.Cast(g.Not(g.Equal(padded, g.Int32Scalar(0))), typeof(long));
            string lastNonZero = g.Reduce("ReduceMax", g.Mul(nonZero, positions), new long[] { 1 }, keepDims: false);
            lengths = g.Where(g.Equal(rows, g.Int64(1)), width, lastNonZero);
        }

        long maximum = transformer.MaximumLength;
        string keep = g.Min(lengths, g.Int64Scalar(maximum));
        string start = transformer.Truncation == TruncationSide.Pre ? g.Sub(lengths, keep) : g.Mul(lengths, g.Int64Scalar(0));
        string offset = transformer.Padding == PaddingSide.Pre ? g.Sub(g.Int64Scalar(maximum), keep) : g.Mul(keep, g.Int64Scalar(0));
        string j = g.Unsqueeze(g.Range(g.Int64Scalar(maximum)), 0); // [1, M]
        string offsetColumn = g.Unsqueeze(offset, 1);
        string source = g.Add(g.Unsqueeze(start, 1), g.Sub(j, offsetColumn));
        source = g.Max(g.Min(source, width), g.Int64Scalar(0));
        string values = g.NodeWith("GatherElements", new[] { padded, source }, n => n.AddAttribute("axis", 1L));
        string valid = g.And(g.Not(g.Less(j, offsetColumn)), g.Less(j, g.Add(offsetColumn, g.Unsqueeze(keep, 1))));
        g.NodeWith("Where", new[] { valid, values, g.Int32Scalar(transformer.PadValue) }, null,
            output: g.DeclareColumn(new VectorDataViewType(NumberDataViewType.Int32, transformer.MaximumLength), transformer.OutputColumnName));
        g.NodeWith("Cast", new[] { g.Unsqueeze(keep, 1) }, n => n.AddAttribute("to", typeof(int)),
            output: g.DeclareColumn(NumberDataViewType.Int32, transformer.LengthColumnName));
    }
}
