namespace MLNet.Recurrent;

/// <summary>
/// How well a language model predicts a data set, from the summed log-likelihood of its predicted tokens (every token of
/// a row but the first, see <see cref="LanguageModelTransformer"/>). Lower is better for every figure but
/// <see cref="LogLikelihood"/>.
/// </summary>
public sealed record LanguageModelMetrics
{
    /// <summary>Number of rows evaluated.</summary>
    public long RowCount { get; init; }

    /// <summary>Number of predicted tokens.</summary>
    public long TokenCount { get; init; }

    /// <summary>Sum of the natural-log probabilities of every predicted token (at most 0).</summary>
    public double LogLikelihood { get; init; }

    /// <summary>Cross-entropy in nats per predicted token: <c>−LogLikelihood / TokenCount</c>; NaN without predicted tokens.</summary>
    public double CrossEntropy { get; init; }

    /// <summary>Perplexity: <c>exp(CrossEntropy)</c>, the effective number of equally likely choices per token.</summary>
    public double Perplexity { get; init; }

    /// <summary>Bits per predicted token: <c>CrossEntropy / ln 2</c>. For a character model this is bits per character.</summary>
    public double BitsPerToken { get; init; }

    /// <summary>Number of characters (Unicode scalar values) of the rows' text, or <see langword="null"/> when no text column was given.</summary>
    public long? CharacterCount { get; init; }

    /// <summary>
    /// Bits per character of the original text: <c>−LogLikelihood / ln 2 / CharacterCount</c>, comparable between word,
    /// sub-word and character models of the same text; <see langword="null"/> without a text column. The first token of
    /// each row is not predicted (unless rows start with <c>&lt;bos&gt;</c>), so with short rows this is slightly optimistic.
    /// </summary>
    public double? BitsPerCharacter { get; init; }

    /// <summary>Builds the metrics from totals: summed natural-log likelihood, predicted tokens, rows and (optionally) characters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or the log-likelihood is positive.</exception>
    public static LanguageModelMetrics FromTotals(double logLikelihood, long tokenCount, long rowCount = 0, long? characterCount = null)
    {
        if (tokenCount < 0)
            throw new ArgumentOutOfRangeException(nameof(tokenCount), tokenCount, "tokenCount must be at least 0.");
        if (rowCount < 0)
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, "rowCount must be at least 0.");
        if (characterCount < 0)
            throw new ArgumentOutOfRangeException(nameof(characterCount), characterCount, "characterCount must be at least 0.");
        if (logLikelihood > 1e-9 * Math.Max(1, tokenCount))
            throw new ArgumentOutOfRangeException(nameof(logLikelihood), logLikelihood, "A log-likelihood is at most 0.");
        double crossEntropy = tokenCount > 0 ? -logLikelihood / tokenCount : double.NaN;
        return new LanguageModelMetrics
        {
            RowCount = rowCount,
            TokenCount = tokenCount,
            LogLikelihood = logLikelihood,
            CrossEntropy = crossEntropy,
            Perplexity = Math.Exp(crossEntropy),
            BitsPerToken = crossEntropy / Math.Log(2),
            CharacterCount = characterCount,
            BitsPerCharacter = characterCount is long c ? (c > 0 ? -logLikelihood / Math.Log(2) / c : double.NaN) : null,
        };
    }

    /// <inheritdoc />
    public override string ToString()
    {
        string bpc = BitsPerCharacter is double b ? $", {b:F4} bits/char" : "";
        return $"{CrossEntropy:F4} nats/token, perplexity {Perplexity:F3}, {BitsPerToken:F4} bits/token{bpc} ({TokenCount} tokens, {RowCount} rows)";
    }
}
