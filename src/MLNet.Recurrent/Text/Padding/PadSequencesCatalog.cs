using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>The <c>mlContext.Transforms.Text.PadSequences(...)</c> catalog extension.</summary>
public static class PadSequencesCatalog
{
    /// <summary>
    /// Pads or truncates the <see cref="int"/> vector column <paramref name="inputColumnName"/> (e.g. the output of
    /// <c>TokenizeToIds</c>) to exactly <paramref name="maxLength"/> values in <paramref name="outputColumnName"/>, and writes the
    /// original length clipped to <paramref name="maxLength"/> to an <see cref="int"/> column. The defaults are those of Keras
    /// <c>pad_sequences</c> (<c>padding='pre'</c>, <c>truncating='pre'</c>, value 0): pre-padding keeps the real tokens next to the
    /// last time step a recurrent network reads, and pre-truncation keeps a sequence's most recent tokens.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The fixed-size column to create (<c>Vector&lt;Int32, maxLength&gt;</c>).</param>
    /// <param name="inputColumnName">The variable- or fixed-size <see cref="int"/> vector column to pad.</param>
    /// <param name="maxLength">The output size; at least 1.</param>
    /// <param name="padding">Where padding goes; default <see cref="PaddingSide.Pre"/> (Keras default).</param>
    /// <param name="truncation">Which values a longer row loses; default <see cref="TruncationSide.Pre"/> (keeps the last <paramref name="maxLength"/>, Keras default).</param>
    /// <param name="padValue">The value of padded positions; default 0 (<c>&lt;pad&gt;</c>).</param>
    /// <param name="lengthColumnName">The length column to create; null (default) means <paramref name="outputColumnName"/> + <c>"Length"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="maxLength"/> is below 1, an enum value is undefined, or a column name is empty or clashes.</exception>
    public static PadSequencesEstimator PadSequences(this TransformsCatalog.TextTransforms catalog, string outputColumnName, string inputColumnName,
        int maxLength, PaddingSide padding = PaddingSide.Pre, TruncationSide truncation = TruncationSide.Pre, int padValue = 0,
        string? lengthColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PadSequencesEstimator(catalog.GetEnvironment(), outputColumnName, inputColumnName, maxLength, padding, truncation, padValue, lengthColumnName);
    }
}
