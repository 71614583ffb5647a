namespace MLNet.Recurrent;

/// <summary>The families of <c>Microsoft.ML.Tokenizers</c> tokenizers a <see cref="PretrainedTokenizer"/> can rebuild from saved bytes.</summary>
public enum PretrainedTokenizerKind
{
    /// <summary>OpenAI Tiktoken (<c>TiktokenTokenizer</c>): cl100k_base, o200k_base, p50k_base, r50k_base or a <c>.tiktoken</c> file.</summary>
    Tiktoken = 0,

    /// <summary>Byte-pair encoding from a <c>vocab.json</c> and a <c>merges.txt</c> (<c>BpeTokenizer</c>).</summary>
    Bpe = 1,

    /// <summary>WordPiece from a <c>vocab.txt</c> (<c>WordPieceTokenizer</c>).</summary>
    WordPiece = 2,

    /// <summary>BERT (normalization, pre-tokenization and WordPiece) from a <c>vocab.txt</c> (<c>BertTokenizer</c>).</summary>
    Bert = 3,

    /// <summary>SentencePiece from a <c>.model</c> protobuf file (<c>SentencePieceTokenizer</c>).</summary>
    SentencePiece = 4,
}
