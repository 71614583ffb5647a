namespace MLNet.Recurrent;

/// <summary>How the per-step outputs of the recurrent layers become one vector per sequence. Padding is never counted.</summary>
public enum SequencePooling
{
    /// <summary>The last layer's final hidden state (both directions concatenated when bidirectional): the state after each sequence's true last token.</summary>
    LastHidden,
    /// <summary>Mean of the last layer's outputs over the real (unpadded) steps.</summary>
    Mean,
    /// <summary>Element-wise maximum of the last layer's outputs over the real (unpadded) steps.</summary>
    Max,
}
