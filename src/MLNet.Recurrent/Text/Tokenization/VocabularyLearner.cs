using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNet.Recurrent;

/// <summary>
/// Counts Word- or Character-mode tokens over rows fed one at a time (the estimator's single streaming
/// cursor pass) and selects the vocabulary: frequency at least the minimum, most frequent first, ties in
/// ordinal string order, at most the maximum size. Only distinct tokens are allocated as strings.
/// </summary>
internal sealed class VocabularyLearner
{
    private readonly TokenizerMode _mode;
    private readonly bool _lowercase;
    private readonly bool _keepPunctuation;
    private readonly SpanTokenCounter _words = new();
    private readonly long[]? _bmp;
    private readonly Dictionary<int, long> _supplementary = new();
    private readonly TokenSpans _spans = new();
    private char[] _scratch = new char[256];

    public VocabularyLearner(TokenizerMode mode, bool lowercase, bool keepPunctuation)
    {
        if (mode is not (TokenizerMode.Word or TokenizerMode.Character))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Only Word and Character vocabularies are learned.");
        _mode = mode;
        _lowercase = lowercase;
        _keepPunctuation = keepPunctuation;
        if (mode == TokenizerMode.Character)
            _bmp = new long[char.MaxValue + 1];
    }

    /// <summary>Counts the tokens of one row.</summary>
    public void Add(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
            return;
        ReadOnlySpan<char> s = _lowercase ? WordScanner.ToLower(text, ref _scratch) : text;
        if (_bmp is null)
            AddWords(s);
        else
            AddCharacters(s, _bmp);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot per-token loop: full optimization from the first call (see WordScanner)
    private void AddWords(ReadOnlySpan<char> s)
    {
        WordScanner.Scan(s, _keepPunctuation, _spans);
        int[] starts = _spans.Starts, lengths = _spans.Lengths;
        for (int i = 0; i < _spans.Count; i++)
            _words.AddAt(s, starts[i], lengths[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot per-token loop: full optimization from the first call (see WordScanner)
    private void AddCharacters(ReadOnlySpan<char> s, long[] bmp)
    {
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_supplementary, char.ConvertToUtf32(c, s[i + 1]), out _)++;
                i++;
            }
            else
            {
                bmp[c]++;
            }
        }
    }

    /// <summary>Adds the counts of <paramref name="other"/> (same mode and options), e.g. from another thread's share of the rows.</summary>
    public void Merge(VocabularyLearner other)
    {
        if (other._mode != _mode || other._lowercase != _lowercase || other._keepPunctuation != _keepPunctuation)
            throw new ArgumentException("The learners count different kinds of tokens.", nameof(other));
        if (_bmp is null)
        {
            foreach (var (token, count) in other._words.Entries())
                _words.Add(token, count);
            return;
        }
        for (int c = 0; c < _bmp.Length; c++)
            _bmp[c] += other._bmp![c];
        foreach (var (codePoint, count) in other._supplementary)
            CollectionsMarshal.GetValueRefOrAddDefault(_supplementary, codePoint, out _) += count;
    }

    /// <summary>
    /// The learned tokens in id order: count ≥ <paramref name="minimumFrequency"/>, count descending then
    /// ordinal, at most <paramref name="maximumTokens"/> of them.
    /// </summary>
    public List<string> SelectTokens(int minimumFrequency, int maximumTokens)
    {
        var candidates = new List<Candidate>();
        if (_bmp is null)
        {
            foreach (var (token, count) in _words.Entries())
            {
                if (count >= minimumFrequency)
                    candidates.Add(new Candidate(token, count));
            }
        }
        else
        {
            for (int c = 0; c < _bmp.Length; c++)
            {
                if (_bmp[c] > 0 && _bmp[c] >= minimumFrequency)
                    candidates.Add(new Candidate(((char)c).ToString(), _bmp[c]));
            }
            foreach (var (codePoint, count) in _supplementary)
            {
                if (count >= minimumFrequency)
                    candidates.Add(new Candidate(char.ConvertFromUtf32(codePoint), count));
            }
        }
        SortByCountThenOrdinal(CollectionsMarshal.AsSpan(candidates));
        int take = Math.Min(candidates.Count, maximumTokens);
        var tokens = new List<string>(take);
        for (int i = 0; i < take; i++)
            tokens.Add(candidates[i].Token);
        return tokens;
    }

    /// <summary>A token with its count and its first four UTF-16 code units packed into a number (0 past the end).</summary>
    internal readonly struct Candidate(string token, long count)
    {
        public readonly string Token = token;
        public readonly long Count = count;
        public readonly ulong Prefix = (ulong)At(token, 0) << 48 | (ulong)At(token, 1) << 32 | (ulong)At(token, 2) << 16 | At(token, 3);

        private static char At(string s, int i) => i < s.Length ? s[i] : '\0';
    }

    /// <summary>
    /// Sorts most frequent first, equal counts in ordinal order: a bottom-up merge sort compiled fully optimized on first
    /// use. A fit sorts once per process, and <c>Span.Sort</c> with a comparer over this struct is a generic instantiation
    /// the framework does not precompile, which ran its first passes on unoptimized and instrumented tiered-JIT code
    /// (~3x slower on the Austen vocabulary). Most ties are settled by the packed prefixes (same order as
    /// <see cref="string.CompareOrdinal(string, string)"/>), so the strings themselves, scattered over the heap, are rarely read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SortByCountThenOrdinal(Span<Candidate> items)
    {
        int n = items.Length;
        if (n < 2)
            return;
        var buffer = new Candidate[n];
        Span<Candidate> source = items, target = buffer;
        bool inItems = true;
        for (int width = 1; width < n; width *= 2)
        {
            for (int left = 0; left < n; left += 2 * width)
            {
                int middle = Math.Min(left + width, n), right = Math.Min(left + 2 * width, n);
                int i = left, j = middle, k = left;
                while (i < middle && j < right)
                    target[k++] = Precedes(source[j], source[i]) ? source[j++] : source[i++];
                while (i < middle)
                    target[k++] = source[i++];
                while (j < right)
                    target[k++] = source[j++];
            }
            Span<Candidate> swap = source;
            source = target;
            target = swap;
            inItems = !inItems;
        }
        if (!inItems)
            source.CopyTo(items);
    }

    /// <summary>Whether <paramref name="a"/> sorts strictly before <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Precedes(in Candidate a, in Candidate b) =>
        a.Count != b.Count ? a.Count > b.Count
        : a.Prefix != b.Prefix ? a.Prefix < b.Prefix
        : string.CompareOrdinal(a.Token, b.Token) < 0;

    /// <summary>The mode being learned.</summary>
    public TokenizerMode Mode => _mode;
}
