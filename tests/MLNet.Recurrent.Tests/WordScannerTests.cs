using System.Globalization;
using System.Text;

namespace MLNet.Recurrent.Tests;

/// <summary>The Word scanner (tokens and the hashes it computes while scanning) against a straightforward per-character reading of its documented rules.</summary>
[TestClass]
public sealed class WordScannerTests
{
    private const string Alphabet = "abcXYZ019 \t\n.,;'’!?-_\"()éÉßñ\u0301١二😀\u00A0\u200B\u2028\u007F";

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void SplitsMixedTextExactlyAsTheCharacterByCharacterRulesSay(bool keepPunctuation)
    {
        var rng = new Random(17);
        var alphabet = StringInfo.GetTextElementEnumerator(Alphabet);
        var pieces = new List<string>();
        while (alphabet.MoveNext())
            pieces.Add((string)alphabet.Current);
        pieces.Add("\uD800"); // a lone surrogate
        for (int n = 0; n < 3000; n++)
        {
            var text = new StringBuilder();
            int length = rng.Next(0, 60);
            for (int i = 0; i < length; i++)
            {
                // Long ASCII runs too, so the vectorized searches cross more than one vector.
                text.Append(rng.Next(10) == 0 ? new string('a', rng.Next(1, 80)) : pieces[rng.Next(pieces.Count)]);
            }
            string s = text.ToString();
            CollectionAssert.AreEqual(Reference(s, keepPunctuation), Scan(s, keepPunctuation), $"text: {Escape(s)}");
        }
    }

    private static List<string> Scan(string text, bool keepPunctuation)
    {
        var tokens = new List<string>();
        int position = 0;
        while (WordScanner.Next(text, ref position, keepPunctuation, out int start, out int length, out uint hash))
        {
            tokens.Add(text.Substring(start, length));
            Assert.AreEqual(SpanTokenMap.Hash(text.AsSpan(start, length)), hash, $"the hash computed while scanning '{Escape(tokens[^1])}'");
        }
        return tokens;
    }

    private enum Kind { Separator, Word, Apostrophe, Punctuation }

    private static List<(Kind Kind, string Text)> Characters(string text)
    {
        var characters = new List<(Kind, string)>();
        for (int i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int width) != System.Buffers.OperationStatus.Done)
            {
                characters.Add((Kind.Punctuation, text.Substring(i, 1)));
                i++;
                continue;
            }
            Kind kind = rune.Value is '\'' or '\u2019' ? Kind.Apostrophe : Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
                    or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                    or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Word,
                UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Control
                    or UnicodeCategory.Format => Kind.Separator,
                _ => Kind.Punctuation,
            };
            characters.Add((kind, text.Substring(i, width)));
            i += width;
        }
        return characters;
    }

    private static List<string> Reference(string text, bool keepPunctuation)
    {
        var characters = Characters(text);
        var tokens = new List<string>();
        var word = new StringBuilder();
        for (int i = 0; i < characters.Count; i++)
        {
            var (kind, c) = characters[i];
            bool inWord = kind == Kind.Word
                || (kind == Kind.Apostrophe && word.Length > 0 && i + 1 < characters.Count && characters[i + 1].Kind == Kind.Word);
            if (inWord)
            {
                word.Append(c);
                continue;
            }
            if (word.Length > 0)
            {
                tokens.Add(word.ToString());
                word.Clear();
            }
            if (keepPunctuation && kind != Kind.Separator)
                tokens.Add(c);
        }
        if (word.Length > 0)
            tokens.Add(word.ToString());
        return tokens;
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 128 && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:X4}"));
}
