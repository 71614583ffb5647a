using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>The <c>mlContext.Transforms.Text.TrainLanguageModel(...)</c> and <c>EvaluateLanguageModel(...)</c> catalog extensions.</summary>
public static class LanguageModelCatalog
{
    /// <summary>
    /// An estimator whose <c>Fit</c> trains a recurrent (RNN/LSTM/GRU) next-token model on a token-id column (a
    /// variable- or fixed-length vector of <see cref="int"/> ids, e.g. from <c>TokenizeToIds</c>) and returns a
    /// <see cref="LanguageModelTransformer"/> that scores rows and generates text.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">Columns, architecture and training settings.</param>
    /// <exception cref="ArgumentException">An option is out of its allowed range.</exception>
    public static LanguageModelEstimator TrainLanguageModel(this TransformsCatalog.TextTransforms catalog, LanguageModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new LanguageModelEstimator(catalog.GetEnvironment(), options);
    }

    /// <summary>
    /// Cross-entropy, perplexity, bits per token and (with <paramref name="textColumnName"/>) bits per character of data
    /// scored by a <see cref="LanguageModelTransformer"/> (see <see cref="LanguageModelEvaluator"/>).
    /// <see cref="LanguageModelTransformer.Evaluate"/> does the same in one call, scoring rows in batches.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="scored">Output of <see cref="LanguageModelTransformer"/>.<c>Transform</c>.</param>
    /// <param name="textColumnName">The original text column, for bits per character; <see langword="null"/> (default) skips it.</param>
    /// <param name="logLikelihoodColumnName">Default <c>"LogLikelihood"</c>.</param>
    /// <param name="tokenCountColumnName">Default <c>"TokenCount"</c>.</param>
    public static LanguageModelMetrics EvaluateLanguageModel(this TransformsCatalog.TextTransforms catalog, IDataView scored,
        string? textColumnName = null, string logLikelihoodColumnName = "LogLikelihood", string tokenCountColumnName = "TokenCount")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LanguageModelEvaluator(logLikelihoodColumnName, tokenCountColumnName, textColumnName).Evaluate(scored);
    }
}
