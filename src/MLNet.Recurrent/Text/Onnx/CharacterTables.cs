using System.Text;

namespace MLNet.Recurrent;

/// <summary>
/// Per-character facts of the Word and Character tokenizers, computed once from the very code that tokenizes
/// (<see cref="WordScanner"/>, <see cref="WordScanner.ToLower"/>), for the lookup tables of the exported graph.
/// </summary>
/// <remarks>
/// The graph sees text as UTF-8, one Unicode scalar value per character (ONNX Runtime's character tokenizer), so tables
/// are keyed by scalar value. Covered: every scalar value of the Basic Multilingual Plane and every assigned one above it.
/// Not covered (they take the default, a word character): unassigned code points above U+FFFF and the supplementary
/// private-use planes 15–16, which <see cref="WordScanner"/> treats as symbols. Lone UTF-16 surrogates cannot reach the
/// graph at all: UTF-8 encoding turns them into U+FFFD.
/// </remarks>
internal static class CharacterTables
{
    /// <summary>Character kinds as the graph numbers them (0 is also what padding maps to).</summary>
    public const long Separator = 0, Word = 1, Apostrophe = 2, Punctuation = 3;

    private static readonly Lazy<CharacterTable> Cased = new(() => Build(lowercase: false));
    private static readonly Lazy<CharacterTable> Lowercased = new(() => Build(lowercase: true));

    /// <summary>The table for text that is (or is not) lower-cased before tokenizing.</summary>
    public static CharacterTable For(bool lowercase) => lowercase ? Lowercased.Value : Cased.Value;

    /// <summary>The kind of the one-character text <paramref name="c"/>, asked of <see cref="WordScanner"/> itself.</summary>
    public static long KindOf(string c)
    {
        int position = 0;
        if (WordScanner.Next(c, ref position, keepPunctuation: false, out _, out _))
            return Word;
        position = 0;
        if (!WordScanner.Next(c, ref position, keepPunctuation: true, out _, out _))
            return Separator;
        // Between two letters an apostrophe joins them into one word; any other symbol splits them.
        string between = "a" + c + "a";
        position = 0;
        WordScanner.Next(between, ref position, keepPunctuation: false, out _, out int length);
        return length == between.Length ? Apostrophe : Punctuation;
    }

    private static CharacterTable Build(bool lowercase)
    {
        var kinds = new Dictionary<string, long>(StringComparer.Ordinal);
        var lower = new Dictionary<string, string>(StringComparer.Ordinal);
        char[] scratch = new char[4];
        for (int value = 0; value <= 0x10FFFF; value++)
        {
            if (value is >= 0xD800 and <= 0xDFFF)
                continue;
            var rune = new Rune(value);
            if (value > 0xFFFF && Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.PrivateUse)
                continue;
            string c = rune.ToString();
            string standardized = lowercase ? WordScanner.ToLower(c, ref scratch).ToString() : c;
            if (!string.Equals(standardized, c, StringComparison.Ordinal))
                lower[c] = standardized;
            long kind = KindOf(standardized);
            if (kind != Word)
                kinds[c] = kind;
        }
        return new CharacterTable(kinds, lower);
    }
}

/// <summary>
/// Character kinds (only the characters that are not word characters: the graph's default is <see cref="CharacterTables.Word"/>)
/// and the characters that standardization (lower-casing) changes.
/// </summary>
internal sealed class CharacterTable
{
    public CharacterTable(Dictionary<string, long> kinds, Dictionary<string, string> lower)
    {
        Kinds = kinds;
        Lower = lower;
    }

    /// <summary>Scalar value (as text) → kind, for every non-word character.</summary>
    public IReadOnlyDictionary<string, long> Kinds { get; }

    /// <summary>Scalar value (as text) → its standardized form, where standardization changes it.</summary>
    public IReadOnlyDictionary<string, string> Lower { get; }

    /// <summary>The standardized form of one character.</summary>
    public string Standardize(string c) => Lower.TryGetValue(c, out string? l) ? l : c;

    /// <summary>All characters (as text) whose standardized form is in <paramref name="targets"/>, with that form.</summary>
    public IEnumerable<(string Character, string Standardized)> CharactersStandardizingTo(IReadOnlySet<string> targets)
    {
        foreach (string t in targets)
        {
            // A character that standardizes to t: t itself (when unchanged) or one of the characters that change into t.
            if (!Lower.ContainsKey(t))
                yield return (t, t);
        }
        foreach (var (c, l) in Lower)
        {
            if (targets.Contains(l))
                yield return (c, l);
        }
    }
}
