using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// Computes <see cref="LanguageModelMetrics"/> from data scored by a <see cref="LanguageModelTransformer"/> (its
/// <c>LogLikelihood</c> and <c>TokenCount</c> columns), plus bits per character when the original text column is
/// named. Usually called as <c>mlContext.Transforms.Text.EvaluateLanguageModel(scored, textColumnName: "Text")</c>.
/// </summary>
public sealed class LanguageModelEvaluator
{
    /// <summary>Creates an evaluator reading the given columns.</summary>
    /// <param name="logLikelihoodColumnName">Column of summed natural-log likelihoods (<see cref="float"/> or <see cref="double"/>). Default <c>"LogLikelihood"</c>.</param>
    /// <param name="tokenCountColumnName">Column of predicted-token counts (<see cref="int"/>). Default <c>"TokenCount"</c>.</param>
    /// <param name="textColumnName">Text column the token ids were made from, for bits per character; <see langword="null"/> (default) skips it.</param>
    public LanguageModelEvaluator(string logLikelihoodColumnName = "LogLikelihood", string tokenCountColumnName = "TokenCount", string? textColumnName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logLikelihoodColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenCountColumnName);
        if (textColumnName is not null)
            ArgumentException.ThrowIfNullOrWhiteSpace(textColumnName);
        LogLikelihoodColumnName = logLikelihoodColumnName;
        TokenCountColumnName = tokenCountColumnName;
        TextColumnName = textColumnName;
    }

    /// <summary>The log-likelihood column read by <see cref="Evaluate"/>.</summary>
    public string LogLikelihoodColumnName { get; }

    /// <summary>The token-count column read by <see cref="Evaluate"/>.</summary>
    public string TokenCountColumnName { get; }

    /// <summary>The text column for bits per character, or <see langword="null"/>.</summary>
    public string? TextColumnName { get; }

    /// <summary>Sums the columns over every row of <paramref name="scored"/>; rows without predicted tokens count as rows only.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    public LanguageModelMetrics Evaluate(IDataView scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var ll = Require(scored.Schema, LogLikelihoodColumnName, t => t == NumberDataViewType.Single || t == NumberDataViewType.Double, "Single or Double");
        var count = Require(scored.Schema, TokenCountColumnName, t => t == NumberDataViewType.Int32, "Int32");
        DataViewSchema.Column? text = TextColumnName is null ? null : Require(scored.Schema, TextColumnName, t => t is TextDataViewType, "text");

        var columns = new List<DataViewSchema.Column> { ll, count };
        if (text is { } tc)
            columns.Add(tc);
        using DataViewRowCursor cursor = scored.GetRowCursor(columns);
        Func<double> getLogLikelihood = NumberGetter(cursor, ll);
        ValueGetter<int> getCount = cursor.GetGetter<int>(count);
        ValueGetter<ReadOnlyMemory<char>>? getText = text is { } t2 ? cursor.GetGetter<ReadOnlyMemory<char>>(t2) : null;
        double sum = 0;
        long tokens = 0, rows = 0, characters = 0;
        int n = 0;
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            rows++;
            getCount(ref n);
            if (n > 0)
            {
                sum += getLogLikelihood();
                tokens += n;
            }
            if (getText is not null)
            {
                getText(ref value);
                characters += CountCharacters(value.Span);
            }
        }
        return LanguageModelMetrics.FromTotals(Math.Min(0, sum), tokens, rows, getText is null ? null : characters);
    }

    /// <summary>Number of Unicode scalar values (a surrogate pair counts once).</summary>
    internal static long CountCharacters(ReadOnlySpan<char> text)
    {
        long n = text.Length;
        for (int i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                n--;
                i++;
            }
        }
        return n;
    }

    private static DataViewSchema.Column Require(DataViewSchema schema, string name, Func<DataViewType, bool> ok, string expected)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"Column '{name}' is not in the scored data; score it with a LanguageModelTransformer first.", nameof(name));
        if (!ok(column.Type))
            throw new ArgumentException($"Column '{name}' is {column.Type}; it must be {expected}.", nameof(name));
        return column;
    }

    private static Func<double> NumberGetter(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type == NumberDataViewType.Double)
        {
            ValueGetter<double> g = row.GetGetter<double>(column);
            double d = 0;
            return () => { g(ref d); return d; };
        }
        ValueGetter<float> f = row.GetGetter<float>(column);
        float v = 0;
        return () => { f(ref v); return v; };
    }
}
