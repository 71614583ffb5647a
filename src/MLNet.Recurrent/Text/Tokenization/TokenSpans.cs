namespace MLNet.Recurrent;

/// <summary>
/// The tokens <see cref="WordScanner.Scan"/> found in one row, as (start, length) pairs into the scanned text, plus the
/// scanner's bitmap scratch; owned by one cursor (or one call), grown to the longest row and then reused.
/// </summary>
internal sealed class TokenSpans
{
    private int[] _starts = new int[64];
    private int[] _lengths = new int[64];

    /// <summary>The number of tokens found.</summary>
    public int Count { get; private set; }

    /// <summary>Token starts; the first <see cref="Count"/> are valid.</summary>
    public int[] Starts => _starts;

    /// <summary>Token lengths; the first <see cref="Count"/> are valid.</summary>
    public int[] Lengths => _lengths;

    /// <summary>Scanner scratch: per 64 chars of an ASCII segment, the word-char, apostrophe and separator bit masks.</summary>
    internal ulong[] WordBits = new ulong[16], ApostropheBits = new ulong[16], SeparatorBits = new ulong[16];

    /// <summary>Forgets the tokens (keeps the storage).</summary>
    public void Clear() => Count = 0;

    /// <summary>Makes room for <paramref name="more"/> tokens beyond <see cref="Count"/>.</summary>
    public void EnsureRoom(int more)
    {
        if (Count + more <= _starts.Length)
            return;
        int size = Math.Max(Count + more, _starts.Length * 2);
        Array.Resize(ref _starts, size);
        Array.Resize(ref _lengths, size);
    }

    /// <summary>Appends a token; room must have been made with <see cref="EnsureRoom"/>.</summary>
    public void AddUnchecked(int start, int length)
    {
        _starts[Count] = start;
        _lengths[Count] = length;
        Count++;
    }

    /// <summary>Appends a token, growing as needed.</summary>
    public void Add(int start, int length)
    {
        EnsureRoom(1);
        AddUnchecked(start, length);
    }

    /// <summary>Makes each bit-mask scratch array hold at least <paramref name="words"/> words.</summary>
    internal void EnsureBits(int words)
    {
        if (WordBits.Length >= words)
            return;
        int size = Math.Max(words, WordBits.Length * 2);
        WordBits = new ulong[size];
        ApostropheBits = new ulong[size];
        SeparatorBits = new ulong[size];
    }
}
