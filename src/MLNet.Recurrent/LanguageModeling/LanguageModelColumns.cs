using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>The input token-id column and the three output columns of a language model.</summary>
internal sealed record LanguageModelColumns(string Input, string LogLikelihood, string TokenCount, string Perplexity)
{
    public LanguageModelColumns(LanguageModelOptions options)
        : this(options.InputColumnName, options.LogLikelihoodColumnName, options.TokenCountColumnName, options.PerplexityColumnName)
    {
    }

    /// <summary>Output columns in order: log-likelihood (Single), token count (Int32), perplexity (Single).</summary>
    public (string Name, DataViewType Type)[] Outputs => new (string, DataViewType)[]
    {
        (LogLikelihood, NumberDataViewType.Single),
        (TokenCount, NumberDataViewType.Int32),
        (Perplexity, NumberDataViewType.Single),
    };
}
