namespace MLNet.Recurrent;

/// <summary>
/// A growable id buffer plus a character scratch area, owned by one cursor (or one call) so the
/// encoding hot path allocates nothing per row once the buffers have grown to the longest row.
/// </summary>
internal sealed class TokenIdBuffer
{
    private int[] _ids = new int[64];
    private char[] _chars = new char[256];

    private TokenSpans? _spans;

    /// <summary>Scratch for the Word scanner's token spans.</summary>
    public TokenSpans Spans => _spans ??= new TokenSpans();

    /// <summary>The number of ids written.</summary>
    public int Count { get; private set; }

    /// <summary>The ids written so far.</summary>
    public ReadOnlySpan<int> Ids => _ids.AsSpan(0, Count);

    /// <summary>Scratch for text standardization (lower-casing); grown by the user.</summary>
    public ref char[] Chars => ref _chars;

    /// <summary>Forgets the ids (keeps the storage).</summary>
    public void Clear() => Count = 0;

    /// <summary>Appends one id.</summary>
    public void Add(int id)
    {
        if (Count == _ids.Length)
            Array.Resize(ref _ids, _ids.Length * 2);
        _ids[Count++] = id;
    }

    /// <summary>Returns room for <paramref name="count"/> more ids at the end; commit what was written with <see cref="Advance"/>.</summary>
    public Span<int> Reserve(int count)
    {
        if (Count + count > _ids.Length)
            Array.Resize(ref _ids, Math.Max(Count + count, _ids.Length * 2));
        return _ids.AsSpan(Count, count);
    }

    /// <summary>Counts <paramref name="count"/> ids written into the span returned by <see cref="Reserve"/>.</summary>
    public void Advance(int count) => Count += count;

    /// <summary>Removes <paramref name="count"/> ids starting at <paramref name="start"/>, keeping the rest in order.</summary>
    public void RemoveRange(int start, int count)
    {
        if (count <= 0)
            return;
        _ids.AsSpan(start + count, Count - start - count).CopyTo(_ids.AsSpan(start));
        Count -= count;
    }
}
