namespace MLNet.Recurrent;

/// <summary>The token-id contract (<see cref="TokenIdColumn"/>) as ONNX nodes.</summary>
internal static class TokenIdsOnnx
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

}
