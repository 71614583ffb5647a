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
        int position = 0;
        while (WordScanner.Next(s, ref position, _keepPunctuation, out int start, out int length))
            _words.Add(s.Slice(start, length));
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
        var candidates = new List<(string Token, long Count)>();
        if (_bmp is null)
        {
            foreach (var (token, count) in _words.Entries())
            {
                if (count >= minimumFrequency)
                    candidates.Add((token, count));
            }
        }
        else
        {
            for (int c = 0; c < _bmp.Length; c++)
            {
                if (_bmp[c] > 0 && _bmp[c] >= minimumFrequency)
                    candidates.Add((((char)c).ToString(), _bmp[c]));
            }
            foreach (var (codePoint, count) in _supplementary)
            {
                if (count >= minimumFrequency)
                    candidates.Add((char.ConvertFromUtf32(codePoint), count));
            }
        }
        candidates.Sort(static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Token, b.Token));
        int take = Math.Min(candidates.Count, maximumTokens);
        var tokens = new List<string>(take);
        for (int i = 0; i < take; i++)
            tokens.Add(candidates[i].Token);
        return tokens;
    }

    /// <summary>The mode being learned.</summary>
    public TokenizerMode Mode => _mode;
}
