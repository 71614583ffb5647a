using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// Reads the token ids of the current row of a cursor into a reusable buffer, applying the token-id contract:
/// id 0 (padding, or a missing key) is dropped wherever it appears; ids outside <c>[0, vocabularySize)</c> become
/// 1 (<c>&lt;unk&gt;</c>); at most <c>maximumLength</c> ids are kept (the first ones). Not thread-safe (one per cursor).
/// </summary>
internal sealed class TokenIdReader
{
    private readonly Func<int[], int, (int Count, int[] Buffer, bool Cut)> read;
    private int[] buffer = new int[64];

    public TokenIdReader(ValueGetter<VBuffer<int>> getter)
    {
        VBuffer<int> value = default;
        read = (buf, limit) =>
        {
            getter(ref value);
            ReadOnlySpan<int> raw = value.GetValues(); // sparse vectors: the implicit entries are 0 = padding anyway
            if (buf.Length < raw.Length)
                buf = new int[Math.Max(raw.Length, buf.Length * 2)];
            int n = 0, i = 0;
            for (; i < raw.Length && n < limit; i++)
            {
                if (raw[i] != 0)
                    buf[n++] = raw[i];
            }
            return (n, buf, raw[i..].ContainsAnyExcept(0));
        };
    }

    private TokenIdReader(Func<int[], int, (int, int[], bool)> read) => this.read = read;

    /// <summary>A reader of a key vector: key value k (k ≥ 1) is id k; keys beyond <see cref="int.MaxValue"/> read as −1 (later <c>&lt;unk&gt;</c>).</summary>
    public static TokenIdReader ForKeys<TKey>(ValueGetter<VBuffer<TKey>> getter, Func<TKey, ulong> toUInt64, DataViewRow? row = null)
    {
        VBuffer<TKey> value = default;
        return new TokenIdReader((buf, limit) =>
        {
            getter(ref value);
            ReadOnlySpan<TKey> raw = value.GetValues();
            if (buf.Length < raw.Length)
                buf = new int[Math.Max(raw.Length, buf.Length * 2)];
            int n = 0, i = 0;
            for (; i < raw.Length && n < limit; i++)
            {
                ulong k = toUInt64(raw[i]);
                if (k != 0)
                    buf[n++] = k <= int.MaxValue ? (int)k : -1;
            }
            bool cut = false;
            for (; i < raw.Length && !cut; i++)
                cut = toUInt64(raw[i]) != 0;
            return (n, buf, cut);
        }) { Row = row };
    }

    /// <summary>The largest id returned so far (before mapping to <c>&lt;unk&gt;</c>).</summary>
    public int MaxIdSeen { get; private set; }

    /// <summary>The position (<see cref="DataViewRow.Position"/>) of the row <see cref="MaxIdSeen"/> came from, or −1.</summary>
    public long MaxIdRow { get; private set; } = -1;

    /// <summary>Whether the last row read had more ids than the maximum length (and was cut).</summary>
    public bool LastRowWasCut { get; private set; }

    /// <summary>The row (cursor) being read, for <see cref="MaxIdRow"/>.</summary>
    internal DataViewRow? Row { get; init; }

    /// <summary>
    /// The ids of the current row. <paramref name="vocabularySize"/> 0 leaves large ids as they are (the caller sizes the
    /// vocabulary from <see cref="MaxIdSeen"/>); <paramref name="maximumLength"/> 0 keeps every id. The span is valid
    /// until the next call.
    /// </summary>
    public ReadOnlySpan<int> Read(int vocabularySize, int maximumLength)
    {
        (int n, int[] buf, bool cut) = read(buffer, maximumLength > 0 ? maximumLength : int.MaxValue);
        buffer = buf;
        LastRowWasCut = cut;
        Span<int> ids = buffer.AsSpan(0, n);
        int max = MaxIdSeen;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if (id > max)
                max = id;
            if (id < 0 || vocabularySize > 0 && id >= vocabularySize)
                ids[i] = 1;
        }
        if (max > MaxIdSeen)
            MaxIdRow = Row?.Position ?? -1;
        MaxIdSeen = max;
        return ids;
    }
}
