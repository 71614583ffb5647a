namespace MLNet.Recurrent;

/// <summary>
/// How an estimator chooses its number of epochs when <see cref="RecurrentTrainingOptions.NumberOfEpochs"/> is
/// <see langword="null"/>: it trains on all but a held-out part of the data for at most <see cref="MaximumEpochs"/>
/// epochs, stops once <see cref="Patience"/> epochs in a row bring no better loss on the held-out part, and keeps the
/// weights of the best epoch.
/// </summary>
public static class AutomaticEpochs
{
    /// <summary>The most epochs an automatic run trains: 30.</summary>
    public const int MaximumEpochs = 30;

    /// <summary>Epochs without a better validation loss before an automatic run stops: 3.</summary>
    public const int Patience = 3;

    /// <summary>The share of the training rows held out when no validation data is given: 0.1 (Keras's usual <c>validation_split</c>).</summary>
    public const double ValidationFraction = 0.1;
}
