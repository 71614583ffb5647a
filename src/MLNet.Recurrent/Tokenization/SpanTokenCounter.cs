using System.Runtime.CompilerServices;

namespace MLNet.Recurrent;

/// <summary>
/// Counts tokens looked up by <see cref="ReadOnlySpan{T}"/> of chars, for vocabulary learning: the growable sibling of
/// <see cref="SpanTokenMap"/> (open addressing, linear probing, load factor ≤ 0.5, FNV-1a, hash stored beside the entry).
/// Only a token's first occurrence allocates its string. Replaces <c>Dictionary&lt;string,long&gt;.AlternateLookup</c>,
/// whose span instantiation is not precompiled in the framework and ran unoptimized through a typical single fit pass.
/// </summary>
internal sealed class SpanTokenCounter
{
    private (uint Hash, int Entry)[] _slots = new (uint, int)[1024]; // Entry = index + 1; 0 = empty
    private string[] _tokens = new string[512];
    private long[] _counts = new long[512];
    private int _count;

    /// <summary>Number of distinct tokens counted.</summary>
    public int Count => _count;

    /// <summary>Adds one occurrence of <paramref name="token"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<char> token) => CountOf(token, SpanTokenMap.Hash(token))++;

    /// <summary>
    /// Adds one occurrence of <paramref name="token"/>, whose <see cref="SpanTokenMap.Hash"/> is <paramref name="hash"/>
    /// (named apart from <see cref="Add(ReadOnlySpan{char}, long)"/>, which an integer literal would otherwise not reach).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddHashed(ReadOnlySpan<char> token, uint hash) => CountOf(token, hash)++;

    /// <summary>Adds <paramref name="count"/> occurrences of <paramref name="token"/>.</summary>
    public void Add(ReadOnlySpan<char> token, long count) => CountOf(token, SpanTokenMap.Hash(token)) += count;

    /// <summary>The count of <paramref name="token"/>, added with count 0 when new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ref long CountOf(ReadOnlySpan<char> token, uint hash)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        int slot = (int)(hash & (uint)mask);
        while (true)
        {
            var (h, entry) = slots[slot];
            if (entry == 0)
                break;
            if (h == hash && token.SequenceEqual(_tokens[entry - 1]))
                return ref _counts[entry - 1];
            slot = (slot + 1) & mask;
        }
        if (_count == _tokens.Length)
        {
            Array.Resize(ref _tokens, _count * 2);
            Array.Resize(ref _counts, _count * 2);
        }
        int index = _count;
        _tokens[index] = token.ToString();
        _counts[index] = 0;
        slots[slot] = (hash, ++_count);
        if (_count * 2 > slots.Length)
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
        var slots = new (uint Hash, int Entry)[_slots.Length * 2];
        int mask = slots.Length - 1;
        foreach (var (hash, entry) in _slots)
        {
            if (entry == 0)
                continue;
            int slot = (int)(hash & (uint)mask);
            while (slots[slot].Entry != 0)
                slot = (slot + 1) & mask;
            slots[slot] = (hash, entry);
        }
        _slots = slots;
    }
}
