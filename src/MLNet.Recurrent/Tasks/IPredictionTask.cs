using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>Reads the label of the current row as a training target; false when the label is missing (the row is skipped).</summary>
internal delegate bool LabelReader(out float target);

/// <summary>
/// Everything task-specific between ML.NET and the network, for one task kind (binary, multiclass, regression):
/// reading labels as targets, the training head, the output columns with their annotations and getters, and what
/// the saved model must remember. One small class per task; the trainer and the transformer are task-agnostic.
/// </summary>
internal interface IPredictionTask
{
    /// <summary>The task kind.</summary>
    RecurrentTask Kind { get; }

    /// <summary>Network outputs per row.</summary>
    int Outputs { get; }

    /// <summary>A reader of the label column for rows of <paramref name="row"/>'s cursor.</summary>
    LabelReader CreateLabelReader(DataViewRow row, DataViewSchema.Column label);

    /// <summary>
    /// Called once before training with the targets read (the task may rescale them in place); returns the head that
    /// defines the loss and the validation metric.
    /// </summary>
    ISequenceHead PrepareTraining(float[] targets, float[]? validationTargets, IChannel channel);

    /// <summary>Called once after training (e.g. to fold target scaling back into the output layer).</summary>
    void FinishTraining(RecurrentSequenceModel model);

    /// <summary>The output columns (names, types, annotations) added to <paramref name="input"/>.</summary>
    DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input);

    /// <summary>A getter of output column <paramref name="column"/> (index into <see cref="OutputColumns"/>) reading <paramref name="raw"/>.</summary>
    Delegate MakeGetter(int column, IRawOutputs raw);

    /// <summary>Writes what the transformer needs besides architecture and weights (read back by the task's Load).</summary>
    void Save(IHostEnvironment env, BinaryWriter writer);
}
