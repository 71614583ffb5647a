namespace MLNet.Recurrent;

/// <summary>
/// A growable id buffer plus a character scratch area, owned by one cursor (or one call) so the
/// encoding hot path allocates nothing per row once the buffers have grown to the longest row.
/// </summary>
internal sealed class TokenIdBuffer
{
    private int[] _ids = new int[64];
    private char[] _chars = new char[256];

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

    /// <summary>Removes <paramref name="count"/> ids starting at <paramref name="start"/>, keeping the rest in order.</summary>
    public void RemoveRange(int start, int count)
    {
        if (count <= 0)
            return;
        _ids.AsSpan(start + count, Count - start - count).CopyTo(_ids.AsSpan(start));
        Count -= count;
    }
}
