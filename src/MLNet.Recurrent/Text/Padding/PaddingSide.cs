namespace MLNet.Recurrent;

/// <summary>
/// Where <see cref="PadSequencesTransformer"/> puts the padding of a too-short sequence (the names follow
/// Keras <c>pad_sequences</c>'s <c>padding='pre'</c> / <c>'post'</c>).
/// </summary>
public enum PaddingSide
{
    /// <summary>Pad at the beginning: the real tokens end the vector, next to the last time step an RNN sees.</summary>
    Pre = 0,

    /// <summary>Pad at the end: the real tokens start the vector.</summary>
    Post = 1,
}
