namespace MLNet.Recurrent;

/// <summary>
/// Which end of a too-long sequence is cut off (the names follow Keras <c>pad_sequences</c>'s
/// <c>truncating='pre'</c> / <c>'post'</c>).
/// </summary>
public enum TruncationSide
{
    /// <summary>Remove tokens from the beginning: the last N tokens are kept.</summary>
    Pre = 0,

    /// <summary>Remove tokens from the end: the first N tokens are kept.</summary>
    Post = 1,
}
