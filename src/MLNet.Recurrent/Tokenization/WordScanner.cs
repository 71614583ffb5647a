using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace MLNet.Recurrent;

/// <summary>
/// The Word-mode splitter, span-based and allocation-free. A word is a maximal run of letters, digits
/// and combining marks; an apostrophe (<c>'</c> or <c>’</c>) between two word characters stays inside the
/// word (<c>don't</c>, <c>Dashwood's</c>). Whitespace, control and format characters separate tokens. Every
/// other character (punctuation, symbols, emoji; a surrogate pair counts as one) is either dropped or,
/// with <c>keepPunctuation</c>, a token of its own.
/// </summary>
internal static class WordScanner
{
    private const byte Separator = 0, WordChar = 1, Apostrophe = 2, Punctuation = 3;

    private static readonly byte[] AsciiKinds = BuildAsciiKinds();

    /// <summary>
    /// Finds the next token at or after <paramref name="position"/>; returns false at the end of the text.
    /// On return <paramref name="position"/> is just past the token and <paramref name="hash"/> is its
    /// <see cref="SpanTokenMap.Hash"/>, computed while scanning so the lookup does not read the token again.
    /// </summary>
    /// <remarks>
    /// This and the other per-token loops (Word/Character encoding, vocabulary counting) are compiled fully optimized on
    /// first use: text is usually tokenized once per process, and under tiered compilation the first passes over a
    /// dataset ran on unoptimized code at a fraction of the steady speed (docs/benchmarks.md, "Tokenization").
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Next(ReadOnlySpan<char> text, ref int position, bool keepPunctuation, out int start, out int length, out uint hash)
    {
        // Unchecked reads: every index is below text.Length (a surrogate pair's width 2 is only reported when its low
        // half exists), and ASCII kinds are read for c < 128 from a 128-entry table.
        ref char chars = ref MemoryMarshal.GetReference(text);
        ref byte asciiKinds = ref MemoryMarshal.GetArrayDataReference(AsciiKinds);
        int n = text.Length;
        int i = position;
        while (i < n)
        {
            char c = Unsafe.Add(ref chars, i);
            int width = 1;
            int kind = Unsafe.Add(ref asciiKinds, (nint)(c & 127));
            if (c >= 128)
                (kind, width) = ClassifyNonAscii(text, i);
            if (kind == WordChar)
            {
                start = i;
                uint h = SpanTokenMap.HashSeed;
                while (true)
                {
                    // Take the current word character (or an apostrophe between two of them).
                    h = SpanTokenMap.HashStep(h, c);
                    if (width == 2)
                        h = SpanTokenMap.HashStep(h, Unsafe.Add(ref chars, i + 1));
                    i += width;
                    if (i >= n)
                        break;
                    c = Unsafe.Add(ref chars, i);
                    width = 1;
                    kind = Unsafe.Add(ref asciiKinds, (nint)(c & 127));
                    if (c >= 128)
                        (kind, width) = ClassifyNonAscii(text, i);
                    if (kind == WordChar || (kind == Apostrophe && i + width < n && IsWordChar(text, i + width)))
                        continue;
                    break;
                }
                length = i - start;
                position = i;
                hash = h;
                return true;
            }
            if (kind != Separator && keepPunctuation)
            {
                start = i;
                length = width;
                position = i + width;
                hash = SpanTokenMap.Hash(text.Slice(i, width));
                return true;
            }
            i += width;
        }
        position = i;
        start = length = 0;
        hash = 0;
        return false;
    }

    /// <summary>Lower-cases <paramref name="text"/> into <paramref name="scratch"/> (grown as needed) and returns the result.</summary>
    public static ReadOnlySpan<char> ToLower(ReadOnlySpan<char> text, ref char[] scratch)
    {
        if (scratch.Length < text.Length)
            scratch = new char[Math.Max(text.Length, scratch.Length * 2)];
        Span<char> destination = scratch.AsSpan(0, text.Length);
        text.ToLowerInvariant(destination);
        return destination;
    }

    private static bool IsWordChar(ReadOnlySpan<char> text, int index)
    {
        char c = text[index];
        return (c < 128 ? AsciiKinds[c] : ClassifyNonAscii(text, index).Kind) == WordChar;
    }

    /// <summary>The kind of the (possibly two-unit) character at <paramref name="index"/> and its width, returned together so callers' locals stay in registers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Kind, int Width) ClassifyNonAscii(ReadOnlySpan<char> text, int index)
    {
        if (Rune.DecodeFromUtf16(text[index..], out Rune rune, out int width) != OperationStatus.Done)
            return (Punctuation, 1); // a lone surrogate: a symbol of its own
        if (rune.Value == '\u2019')
            return (Apostrophe, width);
        byte kind = Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => WordChar,
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Control or UnicodeCategory.Format => Separator,
            _ => Punctuation,
        };
        return (kind, width);
    }

    private static byte[] BuildAsciiKinds()
    {
        var kinds = new byte[128];
        for (int c = 0; c < 128; c++)
        {
            kinds[c] = c <= ' ' || c == 0x7F ? Separator
                : char.IsAsciiLetterOrDigit((char)c) ? WordChar
                : c == '\'' ? Apostrophe
                : Punctuation;
        }
        return kinds;
    }
}
