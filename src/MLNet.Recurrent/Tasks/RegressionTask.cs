using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Data;
using static Microsoft.ML.Data.AnnotationUtils;

namespace MLNet.Recurrent;

/// <summary>
/// Regression: Single label, one output, squared error. Targets are standardized for training (mean 0, standard
/// deviation 1, so the learning rate does not depend on the label's scale) and the scaling is folded back into the
/// output layer afterwards: the model predicts in the label's units. Outputs Score.
/// </summary>
internal sealed class RegressionTask : IPredictionTask
{
    private const string Expected = "Single (regression)";
    private double mean;
    private double scale = 1;

    public RecurrentTask Kind => RecurrentTask.Regression;

    public int Outputs => 1;

    /// <summary>Validates the label column; throws naming it otherwise.</summary>
    public static RegressionTask FromLabel(DataViewSchema schema, string label, string paramName = "inputSchema")
    {
        if (schema.GetColumnOrNull(label) is not DataViewSchema.Column column)
            throw SchemaErrors.Missing(paramName, "label", label, Expected);
        if (column.Type != NumberDataViewType.Single)
            throw SchemaErrors.Mismatch(paramName, "label", label, Expected, column.Type);
        return new RegressionTask();
    }

    /// <summary>Estimator output shape: Score.</summary>
    public static SchemaShape.Column[] OutputShape(SchemaShape input, string label)
    {
        if (!input.TryFindColumn(label, out var column))
            throw SchemaErrors.Missing("inputSchema", "label", label, Expected);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.IsKey || column.ItemType != NumberDataViewType.Single)
            throw SchemaErrors.Mismatch("inputSchema", "label", label, Expected, column.GetTypeString());
        return new[] { ScoreColumns.Shape(Const.ScoreValueKind.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false) };
    }

    public LabelReader CreateLabelReader(DataViewRow row, DataViewSchema.Column label)
    {
        ValueGetter<float> getter = row.GetGetter<float>(label);
        float value = 0;
        return (out float target) =>
        {
            getter(ref value);
            target = value;
            return float.IsFinite(value);
        };
    }

    public ISequenceHead PrepareTraining(float[] targets, float[]? validationTargets, IChannel channel)
    {
        double sum = 0, sumSquares = 0;
        foreach (float t in targets)
            sum += t;
        mean = sum / targets.Length;
        foreach (float t in targets)
            sumSquares += (t - mean) * (t - mean);
        double std = Math.Sqrt(sumSquares / targets.Length);
        scale = std > 1e-12 && double.IsFinite(std) ? std : 1;
        Standardize(targets);
        if (validationTargets is not null)
            Standardize(validationTargets);
        channel.Info($"Regression: training labels have mean {mean:G6} and standard deviation {std:G6}; the network learns standardized targets.");
        return new RegressionHead(scale);
    }

    public void FinishTraining(RecurrentSequenceModel model) => model.RescaleOutputs(scale, mean);

    public DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input)
    {
        uint setId = ScoreColumns.NextSetId(input);
        return new[]
        {
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.Score, NumberDataViewType.Single,
                ScoreColumns.Annotations(setId, Const.ScoreColumnKind.Regression, Const.ScoreValueKind.Score)),
        };
    }

    public Delegate MakeGetter(int column, IRawOutputs raw) => column == 0
        ? (ValueGetter<float>)((ref float dst) => dst = raw.Current()[0])
        : throw new ArgumentOutOfRangeException(nameof(column));

    public void Save(IHostEnvironment env, BinaryWriter writer)
    {
        // Nothing: the target scaling lives in the output layer's weights.
    }

    /// <summary>Reads what <see cref="Save"/> wrote (nothing).</summary>
    public static RegressionTask Load(BinaryReader reader) => new();

    private void Standardize(float[] values)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)((values[i] - mean) / scale);
    }
}
