using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Onnx.Tests;

/// <summary>A text row with a label of every task.</summary>
public sealed class TextRow
{
    public string Text { get; set; } = "";

    public bool Positive { get; set; }

    public string Class { get; set; } = "";

    public float Value { get; set; }
}

/// <summary>
/// Short synthetic texts that exercise the tokenizers' rules: mixed case, punctuation, apostrophes (' and ’), digits,
/// accented and combining letters, Cyrillic, Greek, CJK, emoji (surrogate pairs), no-break and ideographic spaces,
/// tabs and newlines, zero-width joiners, full-width punctuation, words outside the vocabulary, empty and
/// whitespace-only rows, and rows longer than any maximum length used.
/// </summary>
internal static class TextData
{
    private static readonly string[] Words =
    {
        "the", "a", "good", "bad", "movie", "plot", "actor", "great", "awful", "fine", "story", "music", "ending", "boring",
        "Café", "naïve", "Москва", "東京", "Ελλάδα", "straße", "İstanbul", "résumé", "e\u0301clair", "don't", "it’s", "rock'n'roll",
        "abc123", "42", "3.14", "U.S.A.", "e-mail", "😀", "👍🏽", "x\u200Dy", "ΣΊΣΥΦΟΣ", "ǅemal", "ﬁne",
    };

    private static readonly string[] Separators = { " ", " ", " ", "  ", "\t", "\n", "\u00A0", "\u3000", ", ", ". ", "! ", "?", " (", ") ", " “", "” ", " '", "' ", "，", "…", " -- ", "/", "’" };

    public static List<TextRow> Rows(int count, int seed, bool loneSurrogates = true)
    {
        var rng = new Random(seed);
        string[] classes = { "sports", "arts", "science" };
        var rows = new List<TextRow>(count);
        for (int i = 0; i < count; i++)
        {
            string text = (i % 50) switch
            {
                0 => "",
                1 => "   ",
                2 => rng.Next(2) == 0 ? "good" : "Zyzzyva",
                3 => string.Join(" ", Enumerable.Range(0, 120).Select(_ => Word(rng))), // longer than any maximum length
                4 when loneSurrogates => "\uD83D", // a lone surrogate (UTF-8 turns it into U+FFFD)
                _ => Sentence(rng, rng.Next(1, 25)),
            };
            int good = CountOf(text, "good") + CountOf(text, "great") + CountOf(text, "fine");
            int bad = CountOf(text, "bad") + CountOf(text, "awful") + CountOf(text, "boring");
            rows.Add(new TextRow
            {
                Text = text,
                Positive = good >= bad,
                Class = classes[(good + 2 * bad + text.Length) % 3],
                Value = good - bad + text.Length * 0.01f,
            });
        }
        return rows;
    }

    private static string Sentence(Random rng, int words)
    {
        var sb = new StringBuilder();
        for (int w = 0; w < words; w++)
        {
            if (w > 0)
                sb.Append(Separators[rng.Next(Separators.Length)]);
            sb.Append(Word(rng));
        }
        return sb.ToString();
    }

    private static string Word(Random rng)
    {
        string word = rng.Next(10) == 0 ? "unk" + rng.Next(1000) : Words[rng.Next(Words.Length)];
        return rng.Next(6) switch
        {
            0 => word.ToUpperInvariant(),
            1 => char.ToUpperInvariant(word[0]) + word[1..],
            _ => word,
        };
    }

    private static int CountOf(string text, string word) =>
        text.Split(' ').Count(w => w.Equals(word, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="text"/> holds a UTF-16 surrogate that is not half of a pair (no UTF-8 form).</summary>
    public static bool HasLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return true;
        }
        return false;
    }

    /// <summary>Each row's int vector of column <paramref name="column"/>.</summary>
    public static List<int[]> Vectors(IDataView data, string column)
    {
        var col = data.Schema[column];
        var result = new List<int[]>();
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<int>>(col);
        VBuffer<int> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.DenseValues().ToArray());
        }
        return result;
    }
}
