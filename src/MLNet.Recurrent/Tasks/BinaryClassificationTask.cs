using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Data;
using static Microsoft.ML.Data.AnnotationUtils;

namespace MLNet.Recurrent;

/// <summary>Binary classification: Boolean label, one logit; outputs Score (logit), Probability (sigmoid), PredictedLabel (logit &gt; 0).</summary>
internal sealed class BinaryClassificationTask : IPredictionTask
{
    private const string Expected = "Boolean (binary classification)";

    public RecurrentTask Kind => RecurrentTask.BinaryClassification;

    public int Outputs => 1;

    /// <summary>Validates the label column; throws naming it otherwise.</summary>
    public static BinaryClassificationTask FromLabel(DataViewSchema schema, string label, string paramName = "inputSchema")
    {
        if (schema.GetColumnOrNull(label) is not DataViewSchema.Column column)
            throw SchemaErrors.Missing(paramName, "label", label, Expected);
        if (column.Type != BooleanDataViewType.Instance)
            throw SchemaErrors.Mismatch(paramName, "label", label, Expected, column.Type);
        return new BinaryClassificationTask();
    }

    /// <summary>Estimator output shape: Score, Probability, PredictedLabel.</summary>
    public static SchemaShape.Column[] OutputShape(SchemaShape input, string label)
    {
        if (!input.TryFindColumn(label, out var column))
            throw SchemaErrors.Missing("inputSchema", "label", label, Expected);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != BooleanDataViewType.Instance)
            throw SchemaErrors.Mismatch("inputSchema", "label", label, Expected, column.GetTypeString());
        var scalar = SchemaShape.Column.VectorKind.Scalar;
        return new[]
        {
            ScoreColumns.Shape(Const.ScoreValueKind.Score, scalar, NumberDataViewType.Single, false),
            ScoreColumns.Shape(Const.ScoreValueKind.Probability, scalar, NumberDataViewType.Single, false, isNormalized: true),
            ScoreColumns.Shape(Const.ScoreValueKind.PredictedLabel, scalar, BooleanDataViewType.Instance, false),
        };
    }

    public LabelReader CreateLabelReader(DataViewRow row, DataViewSchema.Column label)
    {
        ValueGetter<bool> getter = row.GetGetter<bool>(label);
        bool value = false;
        return (out float target) =>
        {
            getter(ref value);
            target = value ? 1 : 0;
            return true;
        };
    }

    public ISequenceHead PrepareTraining(float[] targets, float[]? validationTargets, IChannel channel)
    {
        int positives = targets.Count(t => t > 0);
        channel.Info($"Binary classification: {positives} positive and {targets.Length - positives} negative training rows.");
        return new BinaryHead();
    }

    public void FinishTraining(RecurrentSequenceModel model)
    {
    }

    public DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input)
    {
        uint setId = ScoreColumns.NextSetId(input);
        string kind = Const.ScoreColumnKind.BinaryClassification;
        return new[]
        {
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.Score, NumberDataViewType.Single, ScoreColumns.Annotations(setId, kind, Const.ScoreValueKind.Score)),
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.Probability, NumberDataViewType.Single, ScoreColumns.Annotations(setId, kind, Const.ScoreValueKind.Probability, isNormalized: true)),
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.PredictedLabel, BooleanDataViewType.Instance, ScoreColumns.Annotations(setId, kind, Const.ScoreValueKind.PredictedLabel)),
        };
    }

    public Delegate MakeGetter(int column, IRawOutputs raw) => column switch
    {
        0 => (ValueGetter<float>)((ref float dst) => dst = raw.Current()[0]),
        1 => (ValueGetter<float>)((ref float dst) => dst = Sigmoid(raw.Current()[0])),
        2 => (ValueGetter<bool>)((ref bool dst) => dst = raw.Current()[0] > 0),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    public void Save(IHostEnvironment env, BinaryWriter writer)
    {
    }

    /// <summary>Reads what <see cref="Save"/> wrote (nothing).</summary>
    public static BinaryClassificationTask Load(BinaryReader reader) => new();

    private static float Sigmoid(float x) => (float)(1 / (1 + Math.Exp(-x)));
}
