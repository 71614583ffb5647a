using System.Text;

namespace MLNet.Recurrent;

/// <summary>
/// Text ↔ token ids, exactly as a fitted <see cref="TokenizeToIdsTransformer"/> maps them (same
/// standardization, vocabulary and <c>&lt;bos&gt;</c>/<c>&lt;eos&gt;</c> markers; no truncation). It travels
/// with the token-id column as the <c>"TokenizerModel"</c> annotation (<see cref="ToBytes"/>), so a downstream
/// component such as a language model can encode prompts and decode generated ids. Thread-safe.
/// </summary>
public abstract class TokenCodec
{
    private const int Magic = 0x4B54524D; // "MRTK"
    private const int FormatVersion = 1;
    internal const string ComponentName = "TokenizeToIds token codec";

    private protected TokenCodec(TokenizerMode mode, bool beginningOfSequence, bool endOfSequence)
    {
        Mode = mode;
        AddsBeginningOfSequence = beginningOfSequence;
        AddsEndOfSequence = endOfSequence;
    }

    /// <summary>The tokenizer mode this codec implements.</summary>
    public TokenizerMode Mode { get; }

    /// <summary>The id ↔ token mapping.</summary>
    public abstract TokenVocabulary Vocabulary { get; }

    /// <summary>Whether <see cref="Encode(string?)"/> starts every sequence with <c>&lt;bos&gt;</c>.</summary>
    public bool AddsBeginningOfSequence { get; }

    /// <summary>Whether <see cref="Encode(string?)"/> ends every sequence with <c>&lt;eos&gt;</c>.</summary>
    public bool AddsEndOfSequence { get; }

    /// <summary>Encodes <paramref name="text"/> (null → no tokens) including the configured <c>&lt;bos&gt;</c>/<c>&lt;eos&gt;</c> markers.</summary>
    public int[] Encode(string? text) => Encode(text, addSequenceMarkers: true);

    /// <summary>Encodes <paramref name="text"/> (null → no tokens); <paramref name="addSequenceMarkers"/> controls the configured <c>&lt;bos&gt;</c>/<c>&lt;eos&gt;</c>.</summary>
    public int[] Encode(string? text, bool addSequenceMarkers)
    {
        var buffer = new TokenIdBuffer();
        EncodeRow(text.AsSpan(), buffer, maximumLength: 0, TruncationSide.Post, addSequenceMarkers);
        return buffer.Ids.ToArray();
    }

    /// <summary>
    /// Turns ids back into readable text: Word mode joins words with single spaces (no space before closing
    /// punctuation or after opening brackets), Character mode concatenates characters, Pretrained mode uses the
    /// pretrained tokenizer's decoder. <c>&lt;pad&gt;</c>, <c>&lt;bos&gt;</c> and <c>&lt;eos&gt;</c> are skipped;
    /// <c>&lt;unk&gt;</c> is written as <c>&lt;unk&gt;</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative or not below the vocabulary size.</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        int count = Vocabulary.Count;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)count)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (valid ids: 0..{count - 1}).");
        }
        var text = new StringBuilder();
        DecodeCore(ids, text);
        return text.ToString();
    }

    /// <summary>Serializes the codec (mode, settings, vocabulary or pretrained-tokenizer data) to a self-contained, versioned byte array.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write((byte)Mode);
            writer.Write(AddsBeginningOfSequence);
            writer.Write(AddsEndOfSequence);
            WriteBody(writer);
        }
        return stream.ToArray();
    }

    /// <summary>The mode recorded in <see cref="ToBytes"/> output, without reading the rest; null when the bytes are not a codec.</summary>
    internal static TokenizerMode? ModeOf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 9 || System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes) != Magic)
            return null;
        var mode = (TokenizerMode)bytes[8];
        return Enum.IsDefined(mode) ? mode : null;
    }

    /// <summary>Rebuilds a codec from <see cref="ToBytes"/> output (no external files are needed).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a codec, are truncated or corrupted, or come from a newer format.</exception>
    public static TokenCodec FromBytes(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return Read(reader);
    }

    /// <summary>
    /// A codec rebuilt from a bare <c>"Vocabulary"</c> annotation (id → token text), for token-id columns that carry no
    /// <c>"TokenizerModel"</c>. Ids 0 and 1 are <c>&lt;pad&gt;</c> and <c>&lt;unk&gt;</c> whatever their text;
    /// <c>"&lt;bos&gt;"</c> at id 2 and <c>"&lt;eos&gt;"</c> after it are the sequence markers; every other id keeps its
    /// position. When every real token is one character (a surrogate pair counts as one) the codec works in
    /// <see cref="TokenizerMode.Character"/> mode, else in <see cref="TokenizerMode.Word"/> mode with punctuation kept,
    /// lower-casing the text first when no token has an upper-case letter.
    /// </summary>
    internal static TokenCodec FromVocabulary(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int special = 2;
        bool bos = tokens.Count > special && tokens[special] == TokenVocabulary.BeginningOfSequenceToken;
        if (bos)
            special++;
        bool eos = tokens.Count > special && tokens[special] == TokenVocabulary.EndOfSequenceToken;
        if (eos)
            special++;
        string[] real = tokens.Skip(special).ToArray();
        var vocabulary = new TokenVocabulary(real, bos, eos, allowDuplicates: true);
        bool characters = real.Length > 0 && real.All(t => t.Length == 1 || t.Length == 2 && char.IsSurrogatePair(t[0], t[1]));
        if (characters)
            return new CharacterTokenCodec(vocabulary, lowercase: false);
        bool lowercase = !real.Any(t => t.Any(char.IsUpper));
        return new WordTokenCodec(vocabulary, lowercase, keepPunctuation: true);
    }

    /// <summary>Reads a codec written by <see cref="ToBytes"/> from the current position of <paramref name="reader"/>.</summary>
    internal static TokenCodec Read(BinaryReader reader) => ModelLoadGuard.Run(ComponentName, () =>
    {
        if (reader.ReadInt32() != Magic)
            throw ModelLoadGuard.Corrupt(ComponentName, "the data does not start with the token-codec signature.");
        int version = reader.ReadInt32();
        if (version < 1 || version > FormatVersion)
            throw ModelLoadGuard.Corrupt(ComponentName, $"format version {version} is not supported (this build reads 1..{FormatVersion}); a newer MLNet.Recurrent may have written it.");
        var mode = (TokenizerMode)reader.ReadByte();
        bool bos = reader.ReadBoolean(), eos = reader.ReadBoolean();
        return mode switch
        {
            TokenizerMode.Word => (TokenCodec)WordTokenCodec.ReadBody(reader, bos, eos),
            TokenizerMode.Character => CharacterTokenCodec.ReadBody(reader, bos, eos),
            TokenizerMode.Pretrained => new PretrainedTokenCodec(PretrainedTokenizer.Read(reader), bos, eos),
            _ => throw ModelLoadGuard.Corrupt(ComponentName, $"unknown tokenizer mode {(int)mode}."),
        };
    });

    /// <summary>
    /// Encodes one row into <paramref name="buffer"/> (cleared first): markers, then the content truncated to
    /// <paramref name="maximumLength"/> ids in all (0 = no limit) on <paramref name="side"/>.
    /// </summary>
    internal void EncodeRow(ReadOnlySpan<char> text, TokenIdBuffer buffer, int maximumLength, TruncationSide side, bool addSequenceMarkers = true)
    {
        buffer.Clear();
        bool bos = addSequenceMarkers && AddsBeginningOfSequence, eos = addSequenceMarkers && AddsEndOfSequence;
        int budget = maximumLength > 0 ? Math.Max(0, maximumLength - (bos ? 1 : 0) - (eos ? 1 : 0)) : int.MaxValue;
        if (bos)
            buffer.Add(Vocabulary.BeginningOfSequenceId!.Value);
        int start = buffer.Count;
        if (!text.IsEmpty && budget > 0)
        {
            int stopAt = side == TruncationSide.Post && budget != int.MaxValue ? start + budget : int.MaxValue;
            EncodeContent(text, buffer, stopAt);
            int extra = buffer.Count - start - budget;
            if (extra > 0)
            {
                if (side == TruncationSide.Pre)
                    buffer.RemoveRange(start, extra);
                else
                    buffer.RemoveRange(buffer.Count - extra, extra);
            }
        }
        if (eos)
            buffer.Add(Vocabulary.EndOfSequenceId!.Value);
    }

    /// <summary>Appends the content ids of <paramref name="text"/>; may stop once <paramref name="buffer"/> holds <paramref name="stopAt"/> ids.</summary>
    internal abstract void EncodeContent(ReadOnlySpan<char> text, TokenIdBuffer buffer, int stopAt);

    /// <summary>Appends the text of <paramref name="ids"/> (already range-checked) to <paramref name="text"/>.</summary>
    private protected abstract void DecodeCore(ReadOnlySpan<int> ids, StringBuilder text);

    /// <summary>Writes the mode-specific part of <see cref="ToBytes"/>.</summary>
    private protected abstract void WriteBody(BinaryWriter writer);

    /// <summary>Writes the vocabulary's real tokens (after the reserved ones).</summary>
    private protected static void WriteTokens(BinaryWriter writer, TokenVocabulary vocabulary)
    {
        writer.Write(vocabulary.Count - vocabulary.SpecialTokenCount);
        for (int id = vocabulary.SpecialTokenCount; id < vocabulary.Count; id++)
            ModelLoadGuard.WriteUtf16(writer, vocabulary.Tokens[id]);
    }

    /// <summary>Reads tokens written by <see cref="WriteTokens"/>.</summary>
    private protected static List<string> ReadTokens(BinaryReader reader)
    {
        int count = ModelLoadGuard.ReadCount(reader, ComponentName, "vocabulary size", max: 1 << 26);
        var tokens = new List<string>(Math.Min(count, 1 << 16));
        for (int i = 0; i < count; i++)
            tokens.Add(ModelLoadGuard.ReadUtf16(reader, ComponentName, "token"));
        return tokens;
    }
}
