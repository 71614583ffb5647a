using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static Microsoft.ML.Data.AnnotationUtils;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Multiclass classification: key-typed label with K values, K logits, cross-entropy, accuracy (targets are 0-based class
/// indices, key value − 1); outputs Score (softmax probabilities, slot names = class names) and PredictedLabel (the
/// label's key type and key values, so <c>MapKeyToValue</c> restores the class).
/// </summary>
internal sealed class MulticlassClassificationTask : PredictionTask
{
    private readonly int classes;
    private readonly LabelKeyValues? keyValues;

    /// <summary>The registry's unconfigured instance.</summary>
    public MulticlassClassificationTask()
    {
    }

    private MulticlassClassificationTask(int classes, LabelKeyValues? keyValues)
    {
        this.classes = classes;
        this.keyValues = keyValues;
    }

    public override RecurrentTask Kind => RecurrentTask.MulticlassClassification;

    public override string ExpectedLabel => "a key with 2 or more values (use MapValueToKey on the label)";

    /// <summary>Number of classes (= key count of the label).</summary>
    public override int Outputs => classes;

    public override string MetricName => "accuracy";

    protected override bool IsValidLabel(DataViewType type) =>
        type is KeyDataViewType { RawType: var raw, Count: <= int.MaxValue } && raw == typeof(uint);

    /// <summary>A key with fewer than 2 values: MapValueToKey was used, but on data with one class (or none).</summary>
    protected override void CheckLabel(DataViewSchema.Column label, string paramName)
    {
        ulong count = ((KeyDataViewType)label.Type).Count;
        if (count >= 2)
            return;
        string[]? names = LabelKeyValues.From(label)?.Texts().Select(t => t.ToString()).ToArray();
        string which = names is { Length: > 0 } ? $" ('{string.Join("', '", names)}')" : "";
        string data = paramName == nameof(RecurrentTrainingOptions.ValidationSet)
            ? "The validation data must go through the MapValueToKey fitted on the training data (transform it with the fitted pipeline), not one fitted on the validation data itself."
            : "MapValueToKey gives the key one value per distinct label of the data it was fitted on: check that this data is not empty and holds at least 2 classes.";
        throw new ArgumentOutOfRangeException(paramName,
            $"Label column '{label.Name}' is a key with {count} value{(count == 1 ? "" : "s")}{which}, so there is only one class to predict; a multiclass classifier needs at least 2. {data}");
    }

    protected override bool IsValidLabel(SchemaShape.Column column) =>
        column.Kind == SchemaShape.Column.VectorKind.Scalar && column.IsKey;

    protected override PredictionTask Bind(DataViewSchema.Column label)
    {
        int count = (int)((KeyDataViewType)label.Type).Count;
        LabelKeyValues? values = LabelKeyValues.From(label);
        return new MulticlassClassificationTask(count, values?.Count == count ? values : null);
    }

    public override void CheckSameLabel(PredictionTask other, DataViewSchema schema, string label, string paramName)
    {
        if (other.Outputs != Outputs)
            throw SchemaErrors.Mismatch(paramName, "label", label,
                $"a key with {Outputs} values like the training label (transform the validation data with the pipeline fitted on the training data, so both share one MapValueToKey)", schema[label].Type);
    }

    protected override SchemaShape.Column[] OutputShape(SchemaShape.Column label)
    {
        var predictedAnnotations = new List<SchemaShape.Column>();
        if (label.Annotations.TryFindColumn(Kinds.KeyValues, out var values))
            predictedAnnotations.Add(values);
        predictedAnnotations.AddRange(GetTrainerOutputAnnotation());
        return
        [
            ScoreColumns.Shape(Const.ScoreValueKind.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, annotations: AnnotationsForMulticlassScoreColumn(label)),
            ScoreColumns.Shape(Const.ScoreValueKind.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, annotations: predictedAnnotations),
        ];
    }

    public override LabelReader CreateLabelReader(DataViewRow row, DataViewSchema.Column label)
    {
        ValueGetter<uint> getter = row.GetGetter<uint>(label);
        uint value = 0;
        int count = classes;
        return (out float target) =>
        {
            getter(ref value);
            target = value - 1f;
            return value >= 1 && value <= count;
        };
    }

    public override void PrepareTraining(float[] targets, float[]? validationTargets, IChannel channel)
    {
        var counts = new int[classes];
        foreach (float t in targets)
            counts[(int)t]++;
        ReadOnlyMemory<char>[] names = keyValues?.Texts() ?? Enumerable.Range(1, classes).Select(i => i.ToString().AsMemory()).ToArray();
        int present = counts.Count(c => c > 0);
        if (present < 2)
        {
            int only = Array.FindIndex(counts, c => c > 0);
            throw new InvalidOperationException(
                $"The training data has a single class: all {targets.Length} usable training rows have label '{names[only]}' (the label key has {classes} values). " +
                "A classifier needs rows of at least 2 classes; check the data and the label column.");
        }
        channel.Info($"Multiclass classification, {classes} classes; training rows per class: {string.Join(", ", names.Zip(counts, (n, c) => $"{n}={c}"))}.");
    }

    public override Tensor RowLoss(Tensor scores, Tensor targets) =>
        nn.functional.cross_entropy(scores, targets.to(ScalarType.Int64), reduction: nn.Reduction.None);

    public override void Accumulate(Tensor scores, Tensor targets, Tensor? weights, MetricAccumulator metrics) =>
        AddWeighted(scores.argmax(1).eq(targets.to(ScalarType.Int64)).to(ScalarType.Float32), weights, metrics);

    public override DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input)
    {
        uint setId = ScoreColumns.NextSetId(input);
        string kind = Const.ScoreColumnKind.MulticlassClassification;
        var score = ScoreColumns.Annotations(setId, kind, Const.ScoreValueKind.Score, extra: b =>
        {
            if (keyValues is null)
                return;
            keyValues.AddSlotNames(b);
            keyValues.AddTo(b, Kinds.TrainingLabelValues);
        });
        var predicted = ScoreColumns.Annotations(setId, kind, Const.ScoreValueKind.PredictedLabel, extra: b => keyValues?.AddTo(b, Kinds.KeyValues));
        return
        [
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.Score, new VectorDataViewType(NumberDataViewType.Single, classes), score),
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.PredictedLabel, new KeyDataViewType(typeof(uint), classes), predicted),
        ];
    }

    public override Delegate MakeGetter(int column, IRawOutputs raw)
    {
        int k = classes;
        if (column == 0)
        {
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                var editor = VBufferEditor.Create(ref dst, k);
                Softmax(raw.Current(), editor.Values);
                dst = editor.Commit();
            });
        }
        if (column == 1)
        {
            return (ValueGetter<uint>)((ref uint dst) =>
            {
                ReadOnlySpan<float> logits = raw.Current();
                int best = 0;
                for (int i = 1; i < logits.Length; i++)
                    if (logits[i] > logits[best])
                        best = i;
                dst = (uint)best + 1;
            });
        }
        throw new ArgumentOutOfRangeException(nameof(column));
    }

    public override void Save(IHostEnvironment env, BinaryWriter writer)
    {
        // int: classes; bool: has key values; [key values: ML.NET type-and-value codec]
        writer.Write(classes);
        writer.Write(keyValues is not null);
        keyValues?.Save(env, writer);
    }

    public override PredictionTask Load(IHostEnvironment env, BinaryReader reader, string component)
    {
        int count = reader.ReadInt32();
        if (count < 2 || count > MaximumClasses)
            throw new InvalidDataException($"{component}: the saved number of classes ({count}) is outside 2..{MaximumClasses}.");
        LabelKeyValues? values = reader.ReadBoolean() ? LabelKeyValues.Load(env, reader, component) : null;
        if (values is not null && values.Count != count)
            throw new InvalidDataException($"{component}: {values.Count} saved class names for {count} classes.");
        return new MulticlassClassificationTask(count, values);
    }

    /// <summary>The most classes a saved model may declare (a damaged count must not size the output layer).</summary>
    internal const int MaximumClasses = 1 << 20;

    private static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = float.NegativeInfinity;
        foreach (float x in logits)
            max = Math.Max(max, x);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
            sum += Math.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++)
            probabilities[i] = (float)(Math.Exp(logits[i] - max) / sum);
    }
}
