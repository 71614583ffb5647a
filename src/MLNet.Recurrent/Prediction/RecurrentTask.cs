namespace MLNet.Recurrent;

/// <summary>The prediction task of a recurrent trainer and of the transformer it produces.</summary>
public enum RecurrentTask
{
    /// <summary>Boolean label; outputs <c>Score</c> (logit), <c>Probability</c> and <c>PredictedLabel</c> (bool).</summary>
    BinaryClassification,
    /// <summary>Key label; outputs <c>Score</c> (per-class probabilities) and <c>PredictedLabel</c> (key with the label's key values).</summary>
    MulticlassClassification,
    /// <summary>Single-precision label; outputs <c>Score</c>.</summary>
    Regression,
}
