using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static Microsoft.ML.Data.AnnotationUtils;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Binary classification: Boolean label, one logit, binary cross-entropy, accuracy at probability 0.5; outputs Score
/// (logit), Probability (sigmoid), PredictedLabel (logit &gt; 0).
/// </summary>
internal sealed class BinaryClassificationTask : PredictionTask
{
    public override RecurrentTask Kind => RecurrentTask.BinaryClassification;

    public override string ExpectedLabel => "Boolean (binary classification)";

    public override int Outputs => 1;

    public override string MetricName => "accuracy";

    protected override bool IsValidLabel(DataViewType type) => type == BooleanDataViewType.Instance;

    protected override bool IsValidLabel(SchemaShape.Column column) =>
        column.Kind == SchemaShape.Column.VectorKind.Scalar && !column.IsKey && column.ItemType == BooleanDataViewType.Instance;

    protected override PredictionTask Bind(DataViewSchema.Column label) => new BinaryClassificationTask();

    protected override SchemaShape.Column[] OutputShape(SchemaShape.Column label)
    {
        var scalar = SchemaShape.Column.VectorKind.Scalar;
        return
        [
            ScoreColumns.Shape(Const.ScoreValueKind.Score, scalar, NumberDataViewType.Single, false),
            ScoreColumns.Shape(Const.ScoreValueKind.Probability, scalar, NumberDataViewType.Single, false, isNormalized: true),
            ScoreColumns.Shape(Const.ScoreValueKind.PredictedLabel, scalar, BooleanDataViewType.Instance, false),
        ];
    }

    public override LabelReader CreateLabelReader(DataViewRow row, DataViewSchema.Column label)
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

    public override void PrepareTraining(float[] targets, float[]? validationTargets, IChannel channel)
    {
        int positives = targets.Count(t => t > 0);
        if (positives == 0 || positives == targets.Length)
            throw new InvalidOperationException(
                $"The training data has a single class: all {targets.Length} usable training rows have label {(positives == 0 ? "false" : "true")}. " +
                "A binary classifier needs both true and false rows; check the data and the label column.");
        channel.Info($"Binary classification: {positives} positive and {targets.Length - positives} negative training rows.");
    }

    public override Tensor RowLoss(Tensor scores, Tensor targets) =>
        nn.functional.binary_cross_entropy_with_logits(scores.squeeze(1), targets, reduction: nn.Reduction.None);

    public override void Accumulate(Tensor scores, Tensor targets, Tensor? weights, MetricAccumulator metrics) =>
        AddWeighted(scores.squeeze(1).gt(Scalars.Zero).to(ScalarType.Float32).eq(targets).to(ScalarType.Float32), weights, metrics);

    public override DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input)
    {
        uint setId = ScoreColumns.NextSetId(input);
        string kind = Const.ScoreColumnKind.BinaryClassification;
        return
        [
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.Score, NumberDataViewType.Single, ScoreColumns.Annotations(setId, kind, Const.ScoreValueKind.Score)),
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.Probability, NumberDataViewType.Single, ScoreColumns.Annotations(setId, kind, Const.ScoreValueKind.Probability, isNormalized: true)),
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.PredictedLabel, BooleanDataViewType.Instance, ScoreColumns.Annotations(setId, kind, Const.ScoreValueKind.PredictedLabel)),
        ];
    }

    public override Delegate MakeGetter(int column, IRawOutputs raw) => column switch
    {
        0 => (ValueGetter<float>)((ref float dst) => dst = raw.Current()[0]),
        1 => (ValueGetter<float>)((ref float dst) => dst = Sigmoid(raw.Current()[0])),
        2 => (ValueGetter<bool>)((ref bool dst) => dst = raw.Current()[0] > 0),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    public override void Save(IHostEnvironment env, BinaryWriter writer)
    {
        // Nothing besides the architecture and the weights.
    }

    public override PredictionTask Load(IHostEnvironment env, BinaryReader reader, string component) => new BinaryClassificationTask();

    private static float Sigmoid(float x) => (float)(1 / (1 + Math.Exp(-x)));
}
