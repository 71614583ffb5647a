using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>Reads the label of the current row as a training target; false when the label is missing (the row is skipped).</summary>
internal delegate bool LabelReader(out float target);

/// <summary>
/// Everything task-specific between ML.NET and the network, for one task (binary, multiclass, regression): which label
/// column it takes, reading labels as targets, the loss and the validation metric, the output columns with their
/// annotations and getters, and what the saved model must remember. The trainer, the transformer and loading are
/// task-agnostic: adding a task is adding one subclass and registering it in <see cref="PredictionTasks"/>
/// (plus its <see cref="RecurrentTask"/> value and catalog method).
/// An instance from the registry describes the task; <see cref="Bind"/> and <see cref="Load"/> give the instance a
/// trainer and a transformer use, configured for one label (the number of classes, their names).
/// </summary>
internal abstract class PredictionTask
{
    /// <summary>The task kind (saved in the model as an <see cref="int"/>).</summary>
    public abstract RecurrentTask Kind { get; }

    /// <summary>What the label column must be, as error messages say it.</summary>
    public abstract string ExpectedLabel { get; }

    /// <summary>Network outputs per row.</summary>
    public abstract int Outputs { get; }

    /// <summary>Name of the validation metric (<see cref="TrainingProgress.MetricName"/>).</summary>
    public abstract string MetricName { get; }

    /// <summary>Whether a label column of <paramref name="type"/> suits the task.</summary>
    protected abstract bool IsValidLabel(DataViewType type);

    /// <summary>Whether a label column of shape <paramref name="column"/> suits the task (estimators' schema propagation).</summary>
    protected abstract bool IsValidLabel(SchemaShape.Column column);

    /// <summary>The task configured for the (valid) label column <paramref name="label"/>.</summary>
    protected abstract PredictionTask Bind(DataViewSchema.Column label);

    /// <summary>The output columns' shapes for a (valid) label column.</summary>
    protected abstract SchemaShape.Column[] OutputShape(SchemaShape.Column label);

    /// <summary>Reads what <see cref="Save"/> wrote and returns the configured task; throws <see cref="InvalidDataException"/> on damage.</summary>
    public abstract PredictionTask Load(IHostEnvironment env, BinaryReader reader, string component);

    /// <summary>Writes what the transformer needs besides architecture and weights (read back by <see cref="Load"/>).</summary>
    public abstract void Save(IHostEnvironment env, BinaryWriter writer);

    /// <summary>Validates the label column <paramref name="label"/> of <paramref name="schema"/> and returns the task configured for it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or of the wrong type (the message names it).</exception>
    public PredictionTask FromLabel(DataViewSchema schema, string label, string paramName)
    {
        DataViewSchema.Column column = SchemaErrors.Require(schema, label, "label", ExpectedLabel, IsValidLabel, paramName);
        CheckLabel(column, paramName);
        return Bind(column);
    }

    /// <summary>Throws naming the column when a label of a valid type cannot be learned (a key with a single class).</summary>
    protected virtual void CheckLabel(DataViewSchema.Column label, string paramName)
    {
    }

    /// <summary>The output columns' shapes, after checking the label column of <paramref name="input"/>.</summary>
    public SchemaShape.Column[] OutputShape(SchemaShape input, string label) =>
        OutputShape(SchemaErrors.Require(input, label, "label", ExpectedLabel, IsValidLabel));

    /// <summary>A reader of the label column for rows of <paramref name="row"/>'s cursor.</summary>
    public abstract LabelReader CreateLabelReader(DataViewRow row, DataViewSchema.Column label);

    /// <summary>Throws unless validation data's label (<paramref name="other"/>) matches the training label.</summary>
    public virtual void CheckSameLabel(PredictionTask other, DataViewSchema schema, string label, string paramName)
    {
    }

    /// <summary>
    /// Called once before training with the targets read (the task may rescale them in place, e.g. standardize
    /// regression targets) and the training log. Throws <see cref="InvalidOperationException"/> when the targets cannot
    /// be learned (a classifier's training rows hold a single class).
    /// </summary>
    public virtual void PrepareTraining(float[] targets, float[]? validationTargets, IChannel channel)
    {
    }

    /// <summary>Per-row loss of the raw outputs <paramref name="scores"/> [B, Outputs], shape [B] (unreduced).</summary>
    public abstract Tensor RowLoss(Tensor scores, Tensor targets);

    /// <summary>Adds the batch's metric numerator and denominator to <paramref name="metrics"/>.</summary>
    public abstract void Accumulate(Tensor scores, Tensor targets, Tensor? weights, MetricAccumulator metrics);

    /// <summary>The metric from accumulated sums.</summary>
    public virtual double Metric(MetricAccumulator metrics) => metrics.MetricSum / Math.Max(1e-12, metrics.MetricWeight);

    /// <summary>Called once after training (e.g. to fold target scaling back into the output layer).</summary>
    public virtual void FinishTraining(RecurrentSequenceModel model)
    {
    }

    /// <summary>The output columns (names, types, annotations) added to <paramref name="input"/>.</summary>
    public abstract DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input);

    /// <summary>A getter of output column <paramref name="column"/> (index into <see cref="OutputColumns"/>) reading <paramref name="raw"/>.</summary>
    public abstract Delegate MakeGetter(int column, IRawOutputs raw);

    /// <summary>Adds Σ wᵢ·valueᵢ and Σ wᵢ (wᵢ = 1 without weights) to the metric sums.</summary>
    protected static void AddWeighted(Tensor values, Tensor? weights, MetricAccumulator metrics)
    {
        if (weights is null)
        {
            metrics.MetricSum += values.sum().item<float>();
            metrics.MetricWeight += values.shape[0];
        }
        else
        {
            metrics.MetricSum += (values * weights).sum().item<float>();
            metrics.MetricWeight += weights.sum().item<float>();
        }
    }
}
