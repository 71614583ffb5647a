using System.Globalization;
using System.Text;

namespace MLNet.Recurrent.Tests;

/// <summary>The Word scanner (its per-char <c>Next</c> and its bit-mask <c>Scan</c>) against a straightforward per-character reading of its documented rules.</summary>
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
            List<string> expected = Reference(s, keepPunctuation);
            CollectionAssert.AreEqual(expected, NextByNext(s, keepPunctuation), $"Next, text: {Escape(s)}");
            CollectionAssert.AreEqual(expected, Scanned(s, keepPunctuation), $"Scan, text: {Escape(s)}");
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ScanSplitsLongAsciiTextWithTokensAcrossEvery64CharBoundaryExactlyAsTheRulesSay(bool keepPunctuation)
    {
        // Scan classifies ASCII 64 chars per mask word: words, inner apostrophes and punctuation on and across the
        // word boundaries, rows ending on a boundary, and now and then a non-ASCII char that sends a stretch char by char.
        var rng = new Random(5);
        string[] pieces = ["a", "Z", "7", " ", "'", "\n", ".", ",", "-", "\u007F", "\t", "don't", "a'", "'b", "''", "é", "’"];
        for (int n = 0; n < 2000; n++)
        {
            var text = new StringBuilder();
            int length = rng.Next(0, 300);
            bool ascii = rng.Next(3) != 0;
            while (text.Length < length)
            {
                string piece = pieces[rng.Next(ascii ? pieces.Length - 2 : pieces.Length)];
                text.Append(rng.Next(4) == 0 ? new string(piece[0], rng.Next(1, 130)) : piece);
            }
            string s = text.ToString();
            List<string> expected = Reference(s, keepPunctuation);
            CollectionAssert.AreEqual(expected, Scanned(s, keepPunctuation), $"text: {Escape(s)}");
            int limit = rng.Next(0, expected.Count + 2);
            CollectionAssert.AreEqual(expected.Take(limit).ToList(), Scanned(s, keepPunctuation, limit), $"at most {limit} tokens of: {Escape(s)}");
        }
    }

    [TestMethod]
    public void ATokensKeyReadInPlaceEqualsTheKeyOfItsCopy()
    {
        // The lookup and the counter key short tokens by reading eight chars from the text and masking; the map and
        // the counter key stored strings by copying. Both must agree for every length and position, end of text included.
        var rng = new Random(3);
        for (int n = 0; n < 500; n++)
        {
            string text = new string(Enumerable.Range(0, rng.Next(1, 40)).Select(_ => (char)rng.Next(1, 0x3000)).ToArray());
            for (int start = 0; start < text.Length; start++)
            {
                for (int length = 0; start + length <= text.Length; length++)
                {
                    string token = text.Substring(start, length);
                    Assert.AreEqual(TokenKey.Of(token), TokenKey.At(text, start, length), $"'{Escape(token)}' at {start} of '{Escape(text)}'");
                }
            }
        }
    }

    private static List<string> NextByNext(string text, bool keepPunctuation)
    {
        var tokens = new List<string>();
        int position = 0;
        while (WordScanner.Next(text, ref position, keepPunctuation, out int start, out int length))
            tokens.Add(text.Substring(start, length));
        return tokens;
    }

    private static List<string> Scanned(string text, bool keepPunctuation, int maxTokens = int.MaxValue)
    {
        var spans = new TokenSpans();
        spans.Add(99, 1); // Scan clears what was there
        WordScanner.Scan(text, keepPunctuation, spans, maxTokens);
        var tokens = new List<string>();
        for (int i = 0; i < spans.Count; i++)
            tokens.Add(text.Substring(spans.Starts[i], spans.Lengths[i]));
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
