using System.Runtime.CompilerServices;

namespace MLNet.Recurrent;

/// <summary>
/// A read-only token → id hash map looked up by <see cref="ReadOnlySpan{T}"/> of chars, for the Word-mode hot path:
/// open addressing with linear probing at load factor ≤ 0.5, FNV-1a hash, the hash stored beside the id so most
/// misses and collisions never touch the key. Measured several times faster than
/// <c>Dictionary&lt;string,int&gt;.AlternateLookup&lt;ReadOnlySpan&lt;char&gt;&gt;</c> on the Austen text.
/// </summary>
internal sealed class SpanTokenMap
{
    private readonly (uint Hash, int Entry)[] _slots; // Entry = id + 1; 0 = empty
    private readonly string[] _tokens;
    private readonly int _mask;

    /// <summary>Maps <c>tokens[id]</c> → <c>id</c>; when a token repeats, its first id wins.</summary>
    public SpanTokenMap(string[] tokens)
    {
        _tokens = tokens;
        int size = 16;
        while (size < tokens.Length * 2)
            size <<= 1;
        _slots = new (uint, int)[size];
        _mask = size - 1;
        for (int id = 0; id < tokens.Length; id++)
        {
            uint hash = Hash(tokens[id]);
            int slot = (int)(hash & (uint)_mask);
            bool duplicate = false;
            while (_slots[slot].Entry != 0)
            {
                var (h, e) = _slots[slot];
                if (h == hash && tokens[e - 1] == tokens[id])
                {
                    duplicate = true;
                    break;
                }
                slot = (slot + 1) & _mask;
            }
            if (!duplicate)
                _slots[slot] = (hash, id + 1);
        }
    }

    /// <summary>The id of <paramref name="token"/>, or <paramref name="missing"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ReadOnlySpan<char> token, int missing) => Find(token, Hash(token), missing);

    /// <summary>The id of <paramref name="token"/>, whose <see cref="Hash"/> is <paramref name="hash"/>, or <paramref name="missing"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ReadOnlySpan<char> token, uint hash, int missing)
    {
        var slots = _slots;
        int slot = (int)(hash & (uint)_mask);
        while (true)
        {
            var (h, entry) = slots[slot];
            if (entry == 0)
                return missing;
            if (h == hash && token.SequenceEqual(_tokens[entry - 1]))
                return entry - 1;
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>FNV-1a over the token's UTF-16 code units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Hash(ReadOnlySpan<char> token)
    {
        uint hash = HashSeed;
        foreach (char c in token)
            hash = HashStep(hash, c);
        return hash;
    }

    /// <summary>The hash of the empty token; <see cref="HashStep"/> adds one char.</summary>
    internal const uint HashSeed = 2166136261;

    /// <summary>Adds <paramref name="c"/> to a hash started at <see cref="HashSeed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint HashStep(uint hash, char c) => (hash ^ c) * 16777619;
}
