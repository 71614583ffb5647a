using System.Collections;

namespace MLNet.Recurrent;

/// <summary>
/// The id ↔ token mapping of a fitted <see cref="TokenizeToIdsTransformer"/> (also attached to its output
/// column as the <c>"Vocabulary"</c> annotation). Ids are dense, <c>0 … Count-1</c>:
/// <c>0 = &lt;pad&gt;</c>, <c>1 = &lt;unk&gt;</c>, then <c>&lt;bos&gt;</c> and <c>&lt;eos&gt;</c> when enabled, then the real tokens.
/// Instances are immutable and thread-safe.
/// </summary>
public sealed class TokenVocabulary : IReadOnlyList<string>
{
    /// <summary>The id of the padding token <c>&lt;pad&gt;</c>: always 0.</summary>
    public const int PaddingId = 0;

    /// <summary>The id of the unknown-token marker <c>&lt;unk&gt;</c>: always 1.</summary>
    public const int UnknownId = 1;

    /// <summary>The text of the padding token.</summary>
    public const string PaddingToken = "<pad>";

    /// <summary>The text of the unknown-token marker.</summary>
    public const string UnknownToken = "<unk>";

    /// <summary>The text of the beginning-of-sequence marker.</summary>
    public const string BeginningOfSequenceToken = "<bos>";

    /// <summary>The text of the end-of-sequence marker.</summary>
    public const string EndOfSequenceToken = "<eos>";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;

    /// <summary>
    /// Builds a vocabulary: the reserved tokens, then <paramref name="tokens"/> in order. Tokens equal to a
    /// reserved token text are skipped; a repeated token keeps its first id in the token → id direction.
    /// </summary>
    internal TokenVocabulary(IEnumerable<string> tokens, bool beginningOfSequence, bool endOfSequence, bool allowDuplicates = false)
    {
        var list = new List<string> { PaddingToken, UnknownToken };
        if (beginningOfSequence)
            list.Add(BeginningOfSequenceToken);
        if (endOfSequence)
            list.Add(EndOfSequenceToken);
        BeginningOfSequenceId = beginningOfSequence ? 2 : null;
        EndOfSequenceId = endOfSequence ? (beginningOfSequence ? 3 : 2) : null;
        SpecialTokenCount = list.Count;

        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
            _ids[list[i]] = i;
        foreach (string token in tokens)
        {
            ArgumentNullException.ThrowIfNull(token, nameof(tokens));
            if (_ids.TryAdd(token, list.Count))
                list.Add(token);
            else if (allowDuplicates)
                list.Add(token);
        }
        _tokens = list.ToArray();
        _spanLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The number of ids, reserved ones included (every id is below this).</summary>
    public int Count => _tokens.Length;

    /// <summary>How many ids at the start are reserved: 2, 3 or 4.</summary>
    public int SpecialTokenCount { get; }

    /// <summary>The id of <c>&lt;bos&gt;</c> (2), or <see langword="null"/> when rows do not start with it.</summary>
    public int? BeginningOfSequenceId { get; }

    /// <summary>The id of <c>&lt;eos&gt;</c> (2 or 3), or <see langword="null"/> when rows do not end with it.</summary>
    public int? EndOfSequenceId { get; }

    /// <summary>The token text of <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is negative or not below <see cref="Count"/>.</exception>
    public string this[int id] => GetToken(id);

    /// <summary>The token text of <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is negative or not below <see cref="Count"/>.</exception>
    public string GetToken(int id)
    {
        if ((uint)id >= (uint)_tokens.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id must be in 0..{_tokens.Length - 1} (vocabulary size {_tokens.Length}).");
        return _tokens[id];
    }

    /// <summary>Looks up the id of a token text (ordinal, case-sensitive).</summary>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _spanLookup.TryGetValue(token, out id);

    /// <summary>Looks up the id of a token text (ordinal, case-sensitive).</summary>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out id);
    }

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnknownId"/> when it is not in the vocabulary.</summary>
    public int GetIdOrUnknown(ReadOnlySpan<char> token) => _spanLookup.TryGetValue(token, out int id) ? id : UnknownId;

    /// <summary>Whether <paramref name="id"/> is a reserved id (<c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, <c>&lt;bos&gt;</c>, <c>&lt;eos&gt;</c>).</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)SpecialTokenCount;

    /// <summary>Enumerates the token texts in id order.</summary>
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_tokens).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The token texts in id order (the internal array; callers must not modify it).</summary>
    internal string[] Tokens => _tokens;
}
