using System.Runtime.CompilerServices;

namespace MLNet.Recurrent;

/// <summary>
/// A read-only token → id hash map looked up by <see cref="ReadOnlySpan{T}"/> of chars, for the Word-mode hot path:
/// open addressing with linear probing at load factor ≤ 0.5; each slot holds the token's <see cref="TokenKey"/>, so a
/// token of up to eight chars (nine in ten English words) is found without touching its string. (Keeping the keys in
/// a separate array by id, for 8-byte slots, measured slower: one more dependent load per lookup.)
/// </summary>
internal sealed class SpanTokenMap
{
    private readonly Slot[] _slots;
    private readonly string[] _tokens;
    private readonly int _mask;

    /// <summary>Maps <c>tokens[id]</c> → <c>id</c>; when a token repeats, its first id wins.</summary>
    public SpanTokenMap(string[] tokens)
    {
        _tokens = tokens;
        int size = 16;
        while (size < tokens.Length * 2)
            size <<= 1;
        _slots = new Slot[size];
        _mask = size - 1;
        for (int id = 0; id < tokens.Length; id++)
        {
            TokenKey key = TokenKey.Of(tokens[id]);
            int slot = (int)(key.Hash & (uint)_mask);
            bool repeat = false;
            while (_slots[slot].Entry != 0)
            {
                if (Matches(in _slots[slot], in key, tokens[id]))
                {
                    repeat = true; // the first id stays
                    break;
                }
                slot = (slot + 1) & _mask;
            }
            if (!repeat)
                _slots[slot] = new Slot { Key = key, Entry = id + 1 };
        }
    }

    /// <summary>The id of <paramref name="token"/>, or <paramref name="missing"/>.</summary>
    public int Find(ReadOnlySpan<char> token, int missing) => Find(TokenKey.Of(token), token, missing);

    /// <summary>The id of the token <c>text[start..start+length]</c>, or <paramref name="missing"/> (the hot path: see <see cref="TokenKey.At"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ReadOnlySpan<char> text, int start, int length, int missing) =>
        Find(TokenKey.At(text, start, length), text.Slice(start, length), missing);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(in TokenKey key, ReadOnlySpan<char> token, int missing)
    {
        Slot[] slots = _slots;
        int slot = (int)(key.Hash & (uint)_mask);
        while (true)
        {
            ref Slot s = ref slots[slot];
            if (s.Entry == 0)
                return missing;
            if (Matches(in s, in key, token))
                return s.Entry - 1;
            slot = (slot + 1) & _mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Matches(in Slot slot, in TokenKey key, ReadOnlySpan<char> token) =>
        slot.Key.Matches(in key, token, _tokens, slot.Entry - 1);

    private struct Slot
    {
        public TokenKey Key;
        public int Entry; // id + 1; 0 = empty
    }
}
