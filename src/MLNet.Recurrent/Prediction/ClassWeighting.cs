namespace MLNet.Recurrent;

/// <summary>How a classifier weighs its classes in the training loss (Keras's <c>class_weight</c>, scikit-learn's <c>class_weight="balanced"</c>).</summary>
public enum ClassWeighting
{
    /// <summary>Every row weighs 1 (times its example weight, if any).</summary>
    None,

    /// <summary>
    /// Each class weighs <c>n / (k · n_c)</c> (n training rows, k classes present, n_c rows of the class): every class
    /// counts as much in the loss as every other, whatever its size; the mean row weight stays 1.
    /// </summary>
    Balanced,

    /// <summary>
    /// The square root of <see cref="Balanced"/>'s weights, scaled so the mean row weight is 1: small classes count more,
    /// but less than with <see cref="Balanced"/>.
    /// </summary>
    SquareRootBalanced,
}
