using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    /// Finds every token of <paramref name="text"/> (at most <paramref name="maxTokens"/>, from the start) into
    /// <paramref name="spans"/>, which it clears first: the same tokens as calling <see cref="Next"/> until it returns false.
    /// </summary>
    /// <remarks>
    /// Tokens never cross an ASCII separator, so the text is cut there into stretches: all-ASCII stretches (nearly all
    /// of English text) are classified 16 chars at a time into bit masks and their tokens read off the masks with bit
    /// tricks, with no per-char branch; a stretch holding a non-ASCII char goes through <see cref="Next"/>'s per-char
    /// Unicode rules. This and the other per-token loops (Word/Character encoding, vocabulary counting) are compiled fully
    /// optimized on first use: text is usually tokenized once per process, and under tiered compilation the first passes
    /// over a dataset ran on unoptimized code at a fraction of the steady speed (docs/performance-notes.md, "Tokenization").
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scan(ReadOnlySpan<char> text, bool keepPunctuation, TokenSpans spans, int maxTokens = int.MaxValue)
    {
        spans.Clear();
        int n = text.Length;
        int position = 0;
        while (position < n && spans.Count < maxTokens)
        {
            int nonAscii = text.Slice(position).IndexOfAnyExceptInRange((char)0, (char)127);
            if (nonAscii < 0)
            {
                ScanAscii(text, position, n, keepPunctuation, spans, maxTokens);
                return;
            }
            nonAscii += position;
            // The ASCII stretch before it, up to and including its last separator.
            int cut = nonAscii;
            while (cut > position && !IsAsciiSeparator(text[cut - 1]))
                cut--;
            if (cut > position)
            {
                ScanAscii(text, position, cut, keepPunctuation, spans, maxTokens);
                position = cut;
            }
            // The stretch holding the non-ASCII char, up to the next ASCII separator, char by char.
            int end = nonAscii + 1;
            while (end < n && !IsAsciiSeparator(text[end]))
                end++;
            ReadOnlySpan<char> upToEnd = text.Slice(0, end);
            while (spans.Count < maxTokens && Next(upToEnd, ref position, keepPunctuation, out int start, out int length))
                spans.Add(start, length);
            position = end;
        }
    }

    private static bool IsAsciiSeparator(char c) => c <= ' ' || c == (char)0x7F;

    /// <summary>The tokens of the all-ASCII stretch <c>text[from..to]</c>, whose neighbours (if any) are separators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScanAscii(ReadOnlySpan<char> text, int from, int to, bool keepPunctuation, TokenSpans spans, int maxTokens)
    {
        int n = to - from;
        int words = (n + 63) >> 6;
        spans.EnsureBits(words + 1);
        spans.EnsureRoom(Math.Min(n, maxTokens - spans.Count));
        ulong[] wordBits = spans.WordBits, apostropheBits = spans.ApostropheBits, separatorBits = spans.SeparatorBits;
        ref ushort chars = ref Unsafe.As<char, ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(text), from));

        // 1. Bit i of word j describes char 64j + i: a letter or digit, an apostrophe, a separator (or past the end).
        for (int j = 0, i = 0; j < words; j++, i += 64)
        {
            ulong w = 0, a = 0, sep = 0;
            if (i + 64 <= n)
            {
                for (int k = 0; k < 64; k += 16)
                {
                    Vector128<byte> v = Vector128.Narrow(
                        Vector128.LoadUnsafe(ref chars, (nuint)(i + k)), Vector128.LoadUnsafe(ref chars, (nuint)(i + k + 8)));
                    Vector128<byte> letter = Vector128.LessThan((v | Vector128.Create((byte)0x20)) - Vector128.Create((byte)'a'), Vector128.Create((byte)26));
                    Vector128<byte> digit = Vector128.LessThan(v - Vector128.Create((byte)'0'), Vector128.Create((byte)10));
                    Vector128<byte> separator = Vector128.LessThanOrEqual(v, Vector128.Create((byte)' ')) | Vector128.Equals(v, Vector128.Create((byte)0x7F));
                    w |= (ulong)(letter | digit).ExtractMostSignificantBits() << k;
                    a |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'\'')).ExtractMostSignificantBits() << k;
                    sep |= (ulong)separator.ExtractMostSignificantBits() << k;
                }
            }
            else
            {
                for (int k = 0; i + k < n; k++)
                {
                    int c = Unsafe.Add(ref chars, i + k);
                    if ((uint)((c | 0x20) - 'a') < 26 || (uint)(c - '0') < 10)
                        w |= 1UL << k;
                    else if (c == '\'')
                        a |= 1UL << k;
                    else if (c <= ' ' || c == 0x7F)
                        sep |= 1UL << k;
                }
                sep |= ~0UL << (n - i);
            }
            wordBits[j] = w;
            apostropheBits[j] = a;
            separatorBits[j] = sep;
        }
        wordBits[words] = 0;

        // 2. An apostrophe between two word chars joins the word (the neighbours outside the stretch are separators).
        ulong previousTop = 0;
        for (int j = 0; j < words; j++)
        {
            ulong w = wordBits[j];
            ulong inner = apostropheBits[j] & ((w << 1) | previousTop) & ((w >> 1) | (wordBits[j + 1] << 63));
            previousTop = w >> 63;
            wordBits[j] = w | inner;
        }

        // 3. Tokens in order: each run of word bits, and (kept) every other non-separator char on its own.
        ulong carry = 0;
        for (int j = 0; j < words; j++)
        {
            ulong w = wordBits[j];
            ulong events = w & ~((w << 1) | carry);
            carry = w >> 63;
            if (keepPunctuation)
                events |= ~(w | separatorBits[j]);
            while (events != 0)
            {
                int bit = BitOperations.TrailingZeroCount(events);
                events &= events - 1;
                int start = (j << 6) + bit;
                int length = 1;
                if (((w >> bit) & 1) != 0)
                {
                    ulong rest = ~w >> bit;
                    if (rest != 0)
                    {
                        length = BitOperations.TrailingZeroCount(rest);
                    }
                    else
                    {
                        int next = j + 1;
                        while (wordBits[next] == ~0UL)
                            next++;
                        length = (next << 6) + BitOperations.TrailingZeroCount(~wordBits[next]) - start;
                    }
                }
                spans.AddUnchecked(from + start, length);
                if (spans.Count >= maxTokens)
                    return;
            }
        }
    }

    /// <summary>
    /// Finds the next token at or after <paramref name="position"/>, char by char; returns false at the end of the text.
    /// On return <paramref name="position"/> is just past the token. <see cref="Scan"/> is the fast form for whole rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Next(ReadOnlySpan<char> text, ref int position, bool keepPunctuation, out int start, out int length)
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
                while (true)
                {
                    // Take the current word character (or an apostrophe between two of them).
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
                return true;
            }
            if (kind != Separator && keepPunctuation)
            {
                start = i;
                length = width;
                position = i + width;
                return true;
            }
            i += width;
        }
        position = i;
        start = length = 0;
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
