namespace MLNet.Recurrent;

/// <summary>Presents a <see cref="TokenCodec"/> (the <c>TokenizeToIds</c> codec from the "TokenizerModel" annotation) as an <see cref="ITokenCodec"/>.</summary>
internal sealed class TokenizerCodecBridge : ITokenCodec
{
    private readonly TokenCodec codec;

    public TokenizerCodecBridge(TokenCodec codec) => this.codec = codec;

    public int VocabularySize => codec.Vocabulary.Count;

    public int? BeginningOfSequenceId => codec.AddsBeginningOfSequence ? codec.Vocabulary.BeginningOfSequenceId : null;

    public int? EndOfSequenceId => codec.AddsEndOfSequence ? codec.Vocabulary.EndOfSequenceId : null;

    public int[] Encode(string text) => codec.Encode(text, addSequenceMarkers: false);

    public string Decode(ReadOnlySpan<int> ids) => codec.Decode(ids);
}
