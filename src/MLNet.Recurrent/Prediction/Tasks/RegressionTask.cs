using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static Microsoft.ML.Data.AnnotationUtils;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Regression: Single label, one output, squared error, RMSE metric. Targets are standardized for training (mean 0,
/// standard deviation 1, so the learning rate does not depend on the label's scale) and the scaling is folded back into
/// the output layer afterwards: the model predicts in the label's units. Outputs Score.
/// </summary>
internal sealed class RegressionTask : PredictionTask
{
    private double mean;
    private double scale = 1;

    public override RecurrentTask Kind => RecurrentTask.Regression;

    public override string ExpectedLabel => "Single (regression)";

    public override int Outputs => 1;

    public override string MetricName => "rmse";

    protected override bool IsValidLabel(DataViewType type) => type == NumberDataViewType.Single;

    protected override bool IsValidLabel(SchemaShape.Column column) =>
        column.Kind == SchemaShape.Column.VectorKind.Scalar && !column.IsKey && column.ItemType == NumberDataViewType.Single;

    protected override PredictionTask Bind(DataViewSchema.Column label) => new RegressionTask();

    protected override SchemaShape.Column[] OutputShape(SchemaShape.Column label) =>
        [ScoreColumns.Shape(Const.ScoreValueKind.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false)];

    public override LabelReader CreateLabelReader(DataViewRow row, DataViewSchema.Column label)
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

    public override void PrepareTraining(float[] targets, float[]? validationTargets, IChannel channel)
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
    }

    public override Tensor RowLoss(Tensor scores, Tensor targets) =>
        nn.functional.mse_loss(scores.squeeze(1), targets, reduction: nn.Reduction.None);

    public override void Accumulate(Tensor scores, Tensor targets, Tensor? weights, MetricAccumulator metrics) =>
        AddWeighted(Squared(scores.squeeze(1).sub(targets)), weights, metrics);

    /// <summary>RMSE in the label's units (targets were divided by the standard deviation).</summary>
    public override double Metric(MetricAccumulator metrics) => scale * Math.Sqrt(metrics.MetricSum / Math.Max(1e-12, metrics.MetricWeight));

    public override void FinishTraining(RecurrentSequenceModel model) => model.RescaleOutputs(scale, mean);

    public override DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input)
    {
        uint setId = ScoreColumns.NextSetId(input);
        return
        [
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.Score, NumberDataViewType.Single,
                ScoreColumns.Annotations(setId, Const.ScoreColumnKind.Regression, Const.ScoreValueKind.Score)),
        ];
    }

    public override Delegate MakeGetter(int column, IRawOutputs raw) => column == 0
        ? (ValueGetter<float>)((ref float dst) => dst = raw.Current()[0])
        : throw new ArgumentOutOfRangeException(nameof(column));

    public override void Save(IHostEnvironment env, BinaryWriter writer)
    {
        // Nothing: the target scaling lives in the output layer's weights.
    }

    public override PredictionTask Load(IHostEnvironment env, BinaryReader reader, string component) => new RegressionTask();

    private static Tensor Squared(Tensor error) => error.mul(error);

    private void Standardize(float[] values)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)((values[i] - mean) / scale);
    }
}
