using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>The <c>mlContext.Transforms.Text.TokenizeToIds(...)</c> catalog extension.</summary>
public static class TokenizeToIdsCatalog
{
    /// <summary>
    /// Tokenizes the text column <paramref name="inputColumnName"/> into a variable-length vector of <see cref="int"/> token
    /// ids in <paramref name="outputColumnName"/>: <c>0 = &lt;pad&gt;</c>, <c>1 = &lt;unk&gt;</c>, then <c>&lt;bos&gt;</c>/<c>&lt;eos&gt;</c>
    /// when enabled, then the vocabulary. The column carries the <c>"Vocabulary"</c> and <c>"TokenizerModel"</c> annotations.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The token-id column to create.</param>
    /// <param name="inputColumnName">The text column to tokenize; null (default) means <paramref name="outputColumnName"/>.</param>
    /// <param name="options">Mode, standardization, vocabulary and length settings; null (default) means <c>new TokenizerOptions()</c> (learned lower-cased words).</param>
    /// <exception cref="ArgumentException">An option is out of its allowed range or options conflict.</exception>
    public static TokenizeToIdsEstimator TokenizeToIds(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string? inputColumnName = null, TokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenizeToIdsEstimator(catalog.GetEnvironment(), outputColumnName, inputColumnName, options);
    }
}
