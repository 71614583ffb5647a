using System.Runtime.CompilerServices;
using System.Text;

namespace MLNet.Recurrent;

/// <summary>
/// Character mode: one token per Unicode scalar value (a surrogate pair is one token), whitespace included.
/// BMP characters are looked up in a flat table; supplementary characters in a small dictionary.
/// </summary>
internal sealed class CharacterTokenCodec : TokenCodec
{
    private readonly TokenVocabulary _vocabulary;
    private readonly int[] _bmp = new int[char.MaxValue + 1];
    private readonly Dictionary<int, int> _supplementary = new();

    public CharacterTokenCodec(TokenVocabulary vocabulary, bool lowercase)
        : base(TokenizerMode.Character, vocabulary.BeginningOfSequenceId.HasValue, vocabulary.EndOfSequenceId.HasValue)
    {
        _vocabulary = vocabulary;
        Lowercase = lowercase;
        Array.Fill(_bmp, TokenVocabulary.UnknownId);
        bool[] seen = new bool[_bmp.Length];
        for (int id = vocabulary.SpecialTokenCount; id < vocabulary.Count; id++)
        {
            string token = vocabulary.Tokens[id];
            if (token.Length == 1 && !seen[token[0]])
            {
                seen[token[0]] = true;
                _bmp[token[0]] = id;
            }
            else if (token.Length == 2 && char.IsSurrogatePair(token[0], token[1]))
            {
                _supplementary.TryAdd(char.ConvertToUtf32(token[0], token[1]), id);
            }
        }
    }

    public bool Lowercase { get; }

    public override TokenVocabulary Vocabulary => _vocabulary;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot per-token loop: full optimization from the first call (see WordScanner)
    internal override void EncodeContent(ReadOnlySpan<char> text, TokenIdBuffer buffer, int stopAt)
    {
        ReadOnlySpan<char> s = Lowercase ? WordScanner.ToLower(text, ref buffer.Chars) : text;
        int room = (int)Math.Min(s.Length, (long)stopAt - buffer.Count);
        Span<int> ids = buffer.Reserve(room);
        int[] bmp = _bmp;
        int written = 0;
        for (int i = 0; i < s.Length && written < ids.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                ids[written++] = _supplementary.TryGetValue(char.ConvertToUtf32(c, s[i + 1]), out int id) ? id : TokenVocabulary.UnknownId;
                i++;
            }
            else
            {
                ids[written++] = bmp[c];
            }
        }
        buffer.Advance(written);
    }

    private protected override void DecodeCore(ReadOnlySpan<int> ids, StringBuilder text)
    {
        foreach (int id in ids)
        {
            if (id != TokenVocabulary.PaddingId && id != _vocabulary.BeginningOfSequenceId && id != _vocabulary.EndOfSequenceId)
                text.Append(_vocabulary.Tokens[id]);
        }
    }

    private protected override void WriteBody(BinaryWriter writer)
    {
        writer.Write(Lowercase);
        WriteTokens(writer, _vocabulary);
    }

    internal static CharacterTokenCodec ReadBody(BinaryReader reader, bool beginningOfSequence, bool endOfSequence)
    {
        bool lowercase = reader.ReadBoolean();
        List<string> tokens = ReadTokens(reader);
        var vocabulary = new TokenVocabulary(tokens, beginningOfSequence, endOfSequence);
        if (vocabulary.Count != vocabulary.SpecialTokenCount + tokens.Count)
            throw ModelLoadGuard.Corrupt(ComponentName, "the vocabulary repeats a token.");
        return new CharacterTokenCodec(vocabulary, lowercase);
    }
}
