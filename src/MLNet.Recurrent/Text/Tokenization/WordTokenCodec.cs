using System.Runtime.CompilerServices;
using System.Text;

namespace MLNet.Recurrent;

/// <summary>Word mode: standardize (lower-case), split with <see cref="WordScanner"/>, look tokens up by span.</summary>
internal sealed class WordTokenCodec : TokenCodec
{
    private const string OpeningPunctuation = "([{“‘¿¡";
    private const string ClosingPunctuation = ".,;:!?)]}”’%…";

    private readonly TokenVocabulary _vocabulary;
    private readonly SpanTokenMap _lookup;

    public WordTokenCodec(TokenVocabulary vocabulary, bool lowercase, bool keepPunctuation)
        : base(TokenizerMode.Word, vocabulary.BeginningOfSequenceId.HasValue, vocabulary.EndOfSequenceId.HasValue)
    {
        _vocabulary = vocabulary;
        _lookup = new SpanTokenMap(vocabulary.Tokens);
        Lowercase = lowercase;
        KeepPunctuation = keepPunctuation;
    }

    public bool Lowercase { get; }

    public bool KeepPunctuation { get; }

    public override TokenVocabulary Vocabulary => _vocabulary;

    /// <summary>Applies the standardization (lower-casing) of this mode, using <paramref name="scratch"/>.</summary>
    public static ReadOnlySpan<char> Standardize(ReadOnlySpan<char> text, bool lowercase, ref char[] scratch) =>
        lowercase ? WordScanner.ToLower(text, ref scratch) : text;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot per-token loop: full optimization from the first call (see WordScanner)
    internal override void EncodeContent(ReadOnlySpan<char> text, TokenIdBuffer buffer, int stopAt)
    {
        ReadOnlySpan<char> standardized = Standardize(text, Lowercase, ref buffer.Chars);
        TokenSpans spans = buffer.Spans;
        WordScanner.Scan(standardized, KeepPunctuation, spans, stopAt == int.MaxValue ? int.MaxValue : stopAt - buffer.Count);
        SpanTokenMap lookup = _lookup;
        int count = spans.Count;
        Span<int> ids = buffer.Reserve(count);
        int[] starts = spans.Starts, lengths = spans.Lengths;
        for (int i = 0; i < ids.Length; i++)
            ids[i] = lookup.Find(standardized, starts[i], lengths[i], TokenVocabulary.UnknownId);
        buffer.Advance(count);
    }

    private protected override void DecodeCore(ReadOnlySpan<int> ids, StringBuilder text)
    {
        bool glueNext = true;
        foreach (int id in ids)
        {
            if (id == TokenVocabulary.PaddingId || id == _vocabulary.BeginningOfSequenceId || id == _vocabulary.EndOfSequenceId)
                continue;
            string token = _vocabulary.Tokens[id];
            bool closing = token.Length == 1 && ClosingPunctuation.Contains(token[0]);
            if (!glueNext && !closing)
                text.Append(' ');
            text.Append(token);
            glueNext = token.Length == 1 && OpeningPunctuation.Contains(token[0]);
        }
    }

    private protected override void WriteBody(BinaryWriter writer)
    {
        writer.Write(Lowercase);
        writer.Write(KeepPunctuation);
        WriteTokens(writer, _vocabulary);
    }

    internal static WordTokenCodec ReadBody(BinaryReader reader, bool beginningOfSequence, bool endOfSequence)
    {
        bool lowercase = reader.ReadBoolean(), keepPunctuation = reader.ReadBoolean();
        List<string> tokens = ReadTokens(reader);
        var vocabulary = new TokenVocabulary(tokens, beginningOfSequence, endOfSequence);
        if (vocabulary.Count != vocabulary.SpecialTokenCount + tokens.Count)
            throw ModelLoadGuard.Corrupt(ComponentName, "the vocabulary repeats a token.");
        return new WordTokenCodec(vocabulary, lowercase, keepPunctuation);
    }
}
