namespace MLNet.Recurrent;

/// <summary>How <see cref="TokenizeToIdsEstimator"/> splits text into tokens.</summary>
public enum TokenizerMode
{
    /// <summary>
    /// Words: the text is standardized (optionally lower-cased), split on whitespace and punctuation
    /// (like Keras <c>TextVectorization</c> and torchtext <c>basic_english</c>), and punctuation is either
    /// dropped or kept as one-character tokens (<see cref="TokenizerOptions.KeepPunctuation"/>).
    /// The vocabulary is learned in <c>Fit</c> or given by the user.
    /// </summary>
    Word = 0,

    /// <summary>
    /// Characters: every Unicode scalar value (a surrogate pair counts as one) is a token, whitespace included.
    /// The vocabulary is learned in <c>Fit</c> or given by the user.
    /// </summary>
    Character = 1,

    /// <summary>
    /// A pretrained <c>Microsoft.ML.Tokenizers</c> tokenizer (<see cref="TokenizerOptions.Pretrained"/>):
    /// Tiktoken, BPE, WordPiece, BERT or SentencePiece. Its ids are shifted past the reserved ids
    /// (<c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c> and the optional <c>&lt;bos&gt;</c>/<c>&lt;eos&gt;</c>); nothing is learned.
    /// </summary>
    Pretrained = 2,
}
