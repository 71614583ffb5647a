namespace MLNet.Recurrent;

/// <summary>The network's raw outputs (logits, or the regression value) for the current row of a cursor or row.</summary>
internal interface IRawOutputs
{
    /// <summary>Outputs of the current row; valid until the row changes.</summary>
    ReadOnlySpan<float> Current();
}
