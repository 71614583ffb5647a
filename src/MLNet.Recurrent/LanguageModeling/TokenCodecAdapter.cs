namespace MLNet.Recurrent;

/// <summary>
/// The one bridge between the token-id column's annotations and <see cref="ITokenCodec"/>. The language model keeps the
/// raw annotation values (and saves them in its model), and asks this class for a codec when it needs to encode a prompt
/// or decode generated ids.
/// </summary>
internal static class TokenCodecAdapter
{
    /// <summary>
    /// Reads a <c>"TokenizerModel"</c> annotation (the tokenizer's serialized codec). This build has no tokenizer of its
    /// own, so the reader is supplied by whoever produced the bytes; merging <c>TokenizeToIds</c> replaces the body of
    /// <see cref="FromTokenizerModel"/> with a call to its codec deserializer.
    /// </summary>
    internal static Func<byte[], ITokenCodec>? TokenizerModelReader { get; set; }

    /// <summary>The codec serialized in a <c>"TokenizerModel"</c> annotation.</summary>
    /// <exception cref="InvalidOperationException">No reader for the bytes is available.</exception>
    /// <exception cref="InvalidDataException">The bytes are not a valid codec.</exception>
    public static ITokenCodec FromTokenizerModel(byte[] bytes)
    {
        Func<byte[], ITokenCodec> reader = TokenizerModelReader
            ?? throw new InvalidOperationException("The token-id column's \"TokenizerModel\" annotation cannot be read by this build of MLNet.Recurrent; use the id-level Generate overload.");
        return reader(bytes);
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
