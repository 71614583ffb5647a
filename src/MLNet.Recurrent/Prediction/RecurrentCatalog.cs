using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// <c>Recurrent(…)</c> trainers on ML.NET's training catalogs: RNN / LSTM / GRU text models trained with TorchSharp from a
/// token-id column (<c>TokenizeToIds</c> output, optionally after <c>PadSequences</c>), producing the same output columns as
/// ML.NET's own trainers.
/// </summary>
public static class RecurrentCatalog
{
    /// <summary>
    /// A recurrent binary classifier: Boolean label; outputs <c>Score</c> (logit), <c>Probability</c> and <c>PredictedLabel</c>,
    /// ready for <c>mlContext.BinaryClassification.Evaluate</c>.
    /// </summary>
    /// <param name="catalog">The binary classification trainers.</param>
    /// <param name="options">All options; see <see cref="RecurrentTrainerOptions"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static RecurrentTrainer Recurrent(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentTrainerOptions options) =>
        new(Env(catalog), RecurrentTask.BinaryClassification, options);

    /// <summary>A recurrent binary classifier with the most common options; the others keep the defaults of <see cref="RecurrentTrainerOptions"/>.</summary>
    /// <param name="catalog">The binary classification trainers.</param>
    /// <param name="labelColumnName">Boolean label column.</param>
    /// <param name="featureColumnName">Token-id column (vector of Int32 or of keys).</param>
    /// <param name="cell">Recurrent cell; null (default) keeps <see cref="RecurrentTrainingOptions.Cell"/>'s default.</param>
    /// <param name="hiddenSize">Hidden size of each recurrent layer and direction; null (default) keeps <see cref="RecurrentTrainingOptions.HiddenSize"/>'s default.</param>
    /// <param name="numberOfEpochs">Passes over the training data; null (default) keeps <see cref="RecurrentTrainerOptions"/>'s default (7).</param>
    public static RecurrentTrainer Recurrent(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string labelColumnName = "Label",
        string featureColumnName = "Tokens", RecurrentCell? cell = null, int? hiddenSize = null, int? numberOfEpochs = null) =>
        catalog.Recurrent(Short(labelColumnName, featureColumnName, cell, hiddenSize, numberOfEpochs));

    /// <summary>
    /// A recurrent multiclass classifier: key label (<c>MapValueToKey</c>); outputs <c>Score</c> (per-class probabilities, slot
    /// names = class names) and <c>PredictedLabel</c> (the label's key type; <c>MapKeyToValue</c> restores the class), ready for
    /// <c>mlContext.MulticlassClassification.Evaluate</c>.
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="options">All options; see <see cref="RecurrentTrainerOptions"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static RecurrentTrainer Recurrent(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentTrainerOptions options) =>
        new(Env(catalog), RecurrentTask.MulticlassClassification, options);

    /// <summary>A recurrent multiclass classifier with the most common options; the others keep the defaults of <see cref="RecurrentTrainerOptions"/>.</summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="labelColumnName">Key label column.</param>
    /// <param name="featureColumnName">Token-id column (vector of Int32 or of keys).</param>
    /// <param name="cell">Recurrent cell; null (default) keeps <see cref="RecurrentTrainingOptions.Cell"/>'s default.</param>
    /// <param name="hiddenSize">Hidden size of each recurrent layer and direction; null (default) keeps <see cref="RecurrentTrainingOptions.HiddenSize"/>'s default.</param>
    /// <param name="numberOfEpochs">Passes over the training data; null (default) keeps <see cref="RecurrentTrainerOptions"/>'s default (7).</param>
    public static RecurrentTrainer Recurrent(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label",
        string featureColumnName = "Tokens", RecurrentCell? cell = null, int? hiddenSize = null, int? numberOfEpochs = null) =>
        catalog.Recurrent(Short(labelColumnName, featureColumnName, cell, hiddenSize, numberOfEpochs));

    /// <summary>
    /// A recurrent regressor: Single label; outputs <c>Score</c>, ready for <c>mlContext.Regression.Evaluate</c>.
    /// Labels are standardized for training; predictions are in the label's units.
    /// </summary>
    /// <param name="catalog">The regression trainers.</param>
    /// <param name="options">All options; see <see cref="RecurrentTrainerOptions"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static RecurrentTrainer Recurrent(this RegressionCatalog.RegressionTrainers catalog, RecurrentTrainerOptions options) =>
        new(Env(catalog), RecurrentTask.Regression, options);

    /// <summary>A recurrent regressor with the most common options; the others keep the defaults of <see cref="RecurrentTrainerOptions"/>.</summary>
    /// <param name="catalog">The regression trainers.</param>
    /// <param name="labelColumnName">Single label column.</param>
    /// <param name="featureColumnName">Token-id column (vector of Int32 or of keys).</param>
    /// <param name="cell">Recurrent cell; null (default) keeps <see cref="RecurrentTrainingOptions.Cell"/>'s default.</param>
    /// <param name="hiddenSize">Hidden size of each recurrent layer and direction; null (default) keeps <see cref="RecurrentTrainingOptions.HiddenSize"/>'s default.</param>
    /// <param name="numberOfEpochs">Passes over the training data; null (default) keeps <see cref="RecurrentTrainerOptions"/>'s default (7).</param>
    public static RecurrentTrainer Recurrent(this RegressionCatalog.RegressionTrainers catalog, string labelColumnName = "Label",
        string featureColumnName = "Tokens", RecurrentCell? cell = null, int? hiddenSize = null, int? numberOfEpochs = null) =>
        catalog.Recurrent(Short(labelColumnName, featureColumnName, cell, hiddenSize, numberOfEpochs));

    /// <summary>The options of the short overloads: <see cref="RecurrentTrainerOptions"/>'s defaults, with only what the caller passed changed.</summary>
    private static RecurrentTrainerOptions Short(string label, string feature, RecurrentCell? cell, int? hiddenSize, int? epochs)
    {
        var options = new RecurrentTrainerOptions { LabelColumnName = label, FeatureColumnName = feature };
        if (epochs is int e)
            options.NumberOfEpochs = e;
        if (cell is RecurrentCell c)
            options.Cell = c;
        if (hiddenSize is int h)
            options.HiddenSize = h;
        return options;
    }

    private static Microsoft.ML.Runtime.IHostEnvironment Env(IInternalCatalog catalog) =>
        (catalog ?? throw new ArgumentNullException(nameof(catalog))).Environment;
}
