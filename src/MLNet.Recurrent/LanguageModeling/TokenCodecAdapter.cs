namespace MLNet.Recurrent;

/// <summary>
/// The one bridge between the token-id column's annotations and <see cref="ITokenCodec"/>. The language model keeps the
/// raw annotation values (and saves them in its model), and asks this class for a codec when it needs to encode a prompt
/// or decode generated ids.
/// </summary>
internal static class TokenCodecAdapter
{
    /// <summary>
    /// Test hook: reads <c>"TokenizerModel"</c> bytes written by something other than <c>TokenizeToIds</c>. Null (the
    /// default) means the bytes are a <see cref="TokenCodec"/>.
    /// </summary>
    internal static Func<byte[], ITokenCodec>? TokenizerModelReader { get; set; }

    /// <summary>The codec serialized in a <c>"TokenizerModel"</c> annotation.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid codec.</exception>
    public static ITokenCodec FromTokenizerModel(byte[] bytes)
    {
        try
        {
            return new TokenizerCodecBridge(TokenCodec.FromBytes(bytes));
        }
        catch (InvalidDataException) when (TokenizerModelReader is not null)
        {
            return TokenizerModelReader(bytes);
        }
    }

    /// <summary>
    /// The codec for a language model: from the <c>"TokenizerModel"</c> bytes when present, else from the
    /// <c>"Vocabulary"</c> annotation (<see cref="VocabularyTokenCodec"/>), else null.
    /// </summary>
    public static ITokenCodec? Create(byte[]? tokenizerModel, IReadOnlyList<string>? vocabulary)
    {
        if (tokenizerModel is { Length: > 0 })
            return FromTokenizerModel(tokenizerModel);
        return vocabulary is { Count: > 0 } ? new VocabularyTokenCodec(vocabulary) : null;
    }
}
