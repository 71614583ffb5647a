using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;

namespace MLNet.Recurrent;

/// <summary>
/// The <c>KeyValues</c> annotation of a key-typed label (class names), kept with the model so the predicted key column
/// carries it (<c>MapKeyToValue("PredictedLabel")</c>) and the score column gets <c>SlotNames</c> (the evaluator's class
/// names in the confusion matrix). Any item type; saved with ML.NET's own type-and-value codec.
/// </summary>
internal abstract class LabelKeyValues
{
    /// <summary>The annotation's type (a known-size vector).</summary>
    public abstract VectorDataViewType Type { get; }

    /// <summary>Number of values.</summary>
    public int Count => Type.Size;

    /// <summary>The key values of <paramref name="label"/>, or null when it has none.</summary>
    public static LabelKeyValues? From(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not { Type: VectorDataViewType { Size: > 0 } type } column)
            return null;
        var make = typeof(LabelKeyValues).GetMethod(nameof(Read), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type.ItemType.RawType);
        return (LabelKeyValues)make.Invoke(null, new object[] { label.Annotations, column, type })!;
    }

    /// <summary>Reads what <see cref="Save"/> wrote; throws <see cref="InvalidDataException"/> on damage.</summary>
    public static LabelKeyValues Load(IHostEnvironment env, BinaryReader reader, string component)
    {
        var saver = new BinarySaver(env, new BinarySaver.Arguments());
        if (!saver.TryLoadTypeAndValue(reader.BaseStream, out DataViewType type, out object value) || type is not VectorDataViewType { Size: > 0 } vector || value is null)
            throw new InvalidDataException($"{component}: the saved label key values are unreadable.");
        var make = typeof(LabelKeyValues<>).MakeGenericType(vector.ItemType.RawType);
        return (LabelKeyValues)Activator.CreateInstance(make, vector, value)!;
    }

    private static LabelKeyValues Read<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column column, VectorDataViewType type)
    {
        VBuffer<T> value = default;
        annotations.GetValue(column.Name, ref value);
        VBuffer<T> dense = default;
        value.CopyToDense(ref dense);
        return new LabelKeyValues<T>(type, dense);
    }

    /// <summary>Writes the type and values to <paramref name="writer"/>'s stream.</summary>
    public abstract void Save(IHostEnvironment env, BinaryWriter writer);

    /// <summary>The values as text (slot names of the score column).</summary>
    public abstract ReadOnlyMemory<char>[] Texts();

    /// <summary>Adds these values to <paramref name="builder"/> under annotation <paramref name="kind"/>.</summary>
    public abstract void AddTo(DataViewSchema.Annotations.Builder builder, string kind);

    /// <summary>Adds the values as text <c>SlotNames</c> to <paramref name="builder"/>.</summary>
    public void AddSlotNames(DataViewSchema.Annotations.Builder builder)
    {
        ReadOnlyMemory<char>[] names = Texts();
        builder.AddSlotNames(names.Length, (ref VBuffer<ReadOnlyMemory<char>> v) => v = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone()));
    }
}

/// <summary><see cref="LabelKeyValues"/> of item type <typeparamref name="T"/>.</summary>
internal sealed class LabelKeyValues<T> : LabelKeyValues
{
    private readonly VectorDataViewType type;
    private readonly VBuffer<T> values;

    public LabelKeyValues(VectorDataViewType type, object values)
    {
        this.type = type;
        VBuffer<T> dense = default;
        ((VBuffer<T>)values).CopyToDense(ref dense);
        this.values = dense;
    }

    public override VectorDataViewType Type => type;

    public override void Save(IHostEnvironment env, BinaryWriter writer)
    {
        writer.Flush();
        var saver = new BinarySaver(env, new BinarySaver.Arguments());
        VBuffer<T> copy = values;
        if (!saver.TryWriteTypeAndValue(writer.BaseStream, type, ref copy, out _))
            throw new InvalidOperationException($"Cannot save label key values of type {type.ItemType}.");
    }

    public override ReadOnlyMemory<char>[] Texts() =>
        values.DenseValues().Select(v => v is ReadOnlyMemory<char> text ? text : (v?.ToString() ?? "").AsMemory()).ToArray();

    public override void AddTo(DataViewSchema.Annotations.Builder builder, string kind)
    {
        VBuffer<T> source = values;
        builder.Add(kind, type, (ref VBuffer<T> dst) => source.CopyTo(ref dst));
    }
}
