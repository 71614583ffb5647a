using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Data;
using static Microsoft.ML.Data.AnnotationUtils;

namespace MLNet.Recurrent;

/// <summary>
/// Multiclass classification: key-typed label with K values, K logits; outputs Score (softmax probabilities, slot names =
/// class names) and PredictedLabel (the label's key type and key values, so <c>MapKeyToValue</c> restores the class).
/// </summary>
internal sealed class MulticlassClassificationTask : IPredictionTask
{
    private const string Expected = "a key with 2 or more values (use MapValueToKey on the label)";
    private readonly LabelKeyValues? keyValues;

    private MulticlassClassificationTask(int classes, LabelKeyValues? keyValues)
    {
        Outputs = classes;
        this.keyValues = keyValues;
    }

    public RecurrentTask Kind => RecurrentTask.MulticlassClassification;

    /// <summary>Number of classes (= key count of the label).</summary>
    public int Outputs { get; }

    /// <summary>Validates the label column; throws naming it otherwise.</summary>
    public static MulticlassClassificationTask FromLabel(DataViewSchema schema, string label, string paramName = "inputSchema")
    {
        if (schema.GetColumnOrNull(label) is not DataViewSchema.Column column)
            throw SchemaErrors.Missing(paramName, "label", label, Expected);
        if (column.Type is not KeyDataViewType { RawType: var raw, Count: >= 2 and <= int.MaxValue } key || raw != typeof(uint))
            throw SchemaErrors.Mismatch(paramName, "label", label, Expected, column.Type);
        LabelKeyValues? values = LabelKeyValues.From(column);
        return new MulticlassClassificationTask((int)key.Count, values?.Count == (int)key.Count ? values : null);
    }

    /// <summary>Throws unless <paramref name="schema"/>'s label (validation data) has the same classes.</summary>
    public void CheckSameClasses(DataViewSchema schema, string label, string paramName)
    {
        var other = FromLabel(schema, label, paramName);
        if (other.Outputs != Outputs)
            throw SchemaErrors.Mismatch(paramName, "label", label, $"a key with {Outputs} values like the training label", schema[label].Type);
    }

    /// <summary>Estimator output shape: Score (vector), PredictedLabel (key).</summary>
    public static SchemaShape.Column[] OutputShape(SchemaShape input, string label)
    {
        if (!input.TryFindColumn(label, out var column))
            throw SchemaErrors.Missing("inputSchema", "label", label, Expected);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !column.IsKey)
            throw SchemaErrors.Mismatch("inputSchema", "label", label, Expected, column.GetTypeString());
        var predictedAnnotations = new List<SchemaShape.Column>();
        if (column.Annotations.TryFindColumn(Kinds.KeyValues, out var keyValues))
            predictedAnnotations.Add(keyValues);
        predictedAnnotations.AddRange(GetTrainerOutputAnnotation());
        return new[]
        {
            ScoreColumns.Shape(Const.ScoreValueKind.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, annotations: AnnotationsForMulticlassScoreColumn(column)),
            ScoreColumns.Shape(Const.ScoreValueKind.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, annotations: predictedAnnotations),
        };
    }

    public LabelReader CreateLabelReader(DataViewRow row, DataViewSchema.Column label)
    {
        ValueGetter<uint> getter = row.GetGetter<uint>(label);
        uint value = 0;
        int classes = Outputs;
        return (out float target) =>
        {
            getter(ref value);
            target = value - 1f;
            return value >= 1 && value <= classes;
        };
    }

    public ISequenceHead PrepareTraining(float[] targets, float[]? validationTargets, IChannel channel)
    {
        var counts = new int[Outputs];
        foreach (float t in targets)
            counts[(int)t]++;
        ReadOnlyMemory<char>[] names = keyValues?.Texts() ?? Enumerable.Range(1, Outputs).Select(i => i.ToString().AsMemory()).ToArray();
        channel.Info($"Multiclass classification, {Outputs} classes; training rows per class: {string.Join(", ", names.Zip(counts, (n, c) => $"{n}={c}"))}.");
        return new MulticlassHead(Outputs);
    }

    public void FinishTraining(RecurrentSequenceModel model)
    {
    }

    public DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input)
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
        return new[]
        {
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.Score, new VectorDataViewType(NumberDataViewType.Single, Outputs), score),
            new DataViewSchema.DetachedColumn(Const.ScoreValueKind.PredictedLabel, new KeyDataViewType(typeof(uint), Outputs), predicted),
        };
    }

    public Delegate MakeGetter(int column, IRawOutputs raw)
    {
        int k = Outputs;
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

    public void Save(IHostEnvironment env, BinaryWriter writer)
    {
        // int: classes; bool: has key values; [key values: ML.NET type-and-value codec]
        writer.Write(Outputs);
        writer.Write(keyValues is not null);
        keyValues?.Save(env, writer);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static MulticlassClassificationTask Load(IHostEnvironment env, BinaryReader reader, string component)
    {
        int classes = reader.ReadInt32();
        if (classes < 2)
            throw new InvalidDataException($"{component}: the saved number of classes ({classes}) is invalid.");
        LabelKeyValues? values = reader.ReadBoolean() ? LabelKeyValues.Load(env, reader, component) : null;
        if (values is not null && values.Count != classes)
            throw new InvalidDataException($"{component}: {values.Count} saved class names for {classes} classes.");
        return new MulticlassClassificationTask(classes, values);
    }

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
