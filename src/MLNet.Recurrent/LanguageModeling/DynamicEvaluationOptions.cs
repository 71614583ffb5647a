namespace MLNet.Recurrent;

/// <summary>
/// Options of <see cref="LanguageModelTransformer.EvaluateDynamic"/>: dynamic evaluation (Krause et al., 2018), where a
/// copy of the model keeps learning on the text it scores. The text is read as one stream in windows of
/// <see cref="SequenceLength"/> tokens; every window is scored first and then trained on (one Adam step on its mean
/// cross-entropy, dropout off), so a token is always predicted by weights that have seen only the text before it. The
/// trained model itself never changes. Invalid values make <c>EvaluateDynamic</c> throw <see cref="ArgumentException"/>
/// naming the option and its range.
/// </summary>
public sealed class DynamicEvaluationOptions
{
    /// <summary>
    /// Adam's step size for the updates, in (0, 1]. Default 0.0003 (docs/language-models.md, "Dynamic evaluation", has the
    /// figures that chose it). Larger rates adapt faster to the text and forget the training text sooner.
    /// </summary>
    public double LearningRate { get; set; } = 0.0003;

    /// <summary>
    /// Tokens scored between two updates, in 1..65,536. Default 32 (the language model's training window). Shorter windows
    /// adapt sooner and cost more updates.
    /// </summary>
    public int SequenceLength { get; set; } = 32;

    /// <summary>
    /// After every update, each weight moves this fraction of the way back to its trained value, in [0, 1). Default 0:
    /// the weights drift freely with the text. A small value (0.001–0.01) keeps them near the trained model on a long text.
    /// </summary>
    public double DecayRate { get; set; }

    /// <summary>
    /// Adam's <c>beta_1</c>, in [0, 1). Default 0: no momentum, so each update is the window's own gradient scaled by its
    /// running RMS (the normalised step of Krause et al.), which scored lower held-out bits/char than 0.9 at the same rate
    /// on each of the three suite texts compared (docs/language-models.md, "Dynamic evaluation").
    /// </summary>
    public double AdamBeta1 { get; set; }

    /// <summary>Adam's <c>beta_2</c>, in [0, 1). Default 0.999.</summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>Throws <see cref="ArgumentException"/> for a value outside its range.</summary>
    internal void Validate()
    {
        if (!(LearningRate > 0 && LearningRate <= 1))
            throw new ArgumentException($"DynamicEvaluationOptions.LearningRate is {LearningRate}; it must be in (0, 1].", nameof(LearningRate));
        if (SequenceLength < 1 || SequenceLength > LanguageModelOptions.MaximumWindow)
            throw new ArgumentException($"DynamicEvaluationOptions.SequenceLength is {SequenceLength}; it must be in 1..{LanguageModelOptions.MaximumWindow:N0}.", nameof(SequenceLength));
        if (!(DecayRate >= 0 && DecayRate < 1))
            throw new ArgumentException($"DynamicEvaluationOptions.DecayRate is {DecayRate}; it must be in [0, 1).", nameof(DecayRate));
        if (!(AdamBeta1 >= 0 && AdamBeta1 < 1))
            throw new ArgumentException($"DynamicEvaluationOptions.AdamBeta1 is {AdamBeta1}; it must be in [0, 1).", nameof(AdamBeta1));
        if (!(AdamBeta2 >= 0 && AdamBeta2 < 1))
            throw new ArgumentException($"DynamicEvaluationOptions.AdamBeta2 is {AdamBeta2}; it must be in [0, 1).", nameof(AdamBeta2));
    }
}
