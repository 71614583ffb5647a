using System.Runtime.CompilerServices;

namespace MLNet.Recurrent;

/// <summary>
/// Counts tokens looked up by <see cref="ReadOnlySpan{T}"/> of chars, for vocabulary learning: the growable sibling of
/// <see cref="SpanTokenMap"/> (open addressing, linear probing, load factor ≤ 0.5, a <see cref="TokenKey"/> per slot).
/// Only a token's first occurrence allocates its string. Replaces <c>Dictionary&lt;string,long&gt;.AlternateLookup</c>,
/// whose span instantiation is not precompiled in the framework and ran unoptimized through a typical single fit pass.
/// </summary>
internal sealed class SpanTokenCounter
{
    private Slot[] _slots = new Slot[1024]; // Entry = index + 1; 0 = empty
    private string[] _tokens = new string[512];
    private long[] _counts = new long[512];
    private int _count;

    /// <summary>Number of distinct tokens counted.</summary>
    public int Count => _count;

    /// <summary>Adds one occurrence of <paramref name="token"/>.</summary>
    public void Add(ReadOnlySpan<char> token) => CountOf(TokenKey.Of(token), token)++;

    /// <summary>Adds one occurrence of the token <c>text[start..start+length]</c> (the hot path: see <see cref="TokenKey.At"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddAt(ReadOnlySpan<char> text, int start, int length) =>
        CountOf(TokenKey.At(text, start, length), text.Slice(start, length))++;

    /// <summary>Adds <paramref name="count"/> occurrences of <paramref name="token"/>.</summary>
    public void Add(ReadOnlySpan<char> token, long count) => CountOf(TokenKey.Of(token), token) += count;

    /// <summary>The count of <paramref name="token"/> (whose key is <paramref name="key"/>), added with count 0 when new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref long CountOf(in TokenKey key, ReadOnlySpan<char> token)
    {
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        int slot = (int)(key.Hash & (uint)mask);
        while (true)
        {
            ref Slot s = ref slots[slot];
            if (s.Entry == 0)
                break;
            if (s.Key.Matches(in key, token, _tokens, s.Entry - 1))
                return ref _counts[s.Entry - 1];
            slot = (slot + 1) & mask;
        }
        return ref AddNew(in key, token, slot);
    }

    private ref long AddNew(in TokenKey key, ReadOnlySpan<char> token, int slot)
    {
        if (_count == _tokens.Length)
        {
            Array.Resize(ref _tokens, _count * 2);
            Array.Resize(ref _counts, _count * 2);
        }
        int index = _count;
        _tokens[index] = token.ToString();
        _counts[index] = 0;
        _slots[slot] = new Slot { Key = key, Entry = ++_count };
        if (_count * 2 > _slots.Length)
            Grow();
        return ref _counts[index];
    }

    /// <summary>The distinct tokens with their counts, in first-seen order.</summary>
    public IEnumerable<(string Token, long Count)> Entries()
    {
        for (int i = 0; i < _count; i++)
            yield return (_tokens[i], _counts[i]);
    }

    private void Grow()
    {
        var slots = new Slot[_slots.Length * 2];
        int mask = slots.Length - 1;
        foreach (Slot old in _slots)
        {
            if (old.Entry == 0)
                continue;
            int slot = (int)(old.Key.Hash & (uint)mask);
            while (slots[slot].Entry != 0)
                slot = (slot + 1) & mask;
            slots[slot] = old;
        }
        _slots = slots;
    }

    private struct Slot
    {
        public TokenKey Key;
        public int Entry;
    }
}
