using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// Builds output columns with ML.NET's standard score-column annotations (ScoreColumnSetId, ScoreColumnKind,
/// ScoreValueKind, IsNormalized …), so evaluators and downstream transforms treat them like any trainer's output.
/// </summary>
internal static class ScoreColumns
{
    /// <summary>The next free ScoreColumnSetId of <paramref name="input"/> (as ML.NET's scorers compute it).</summary>
    public static uint NextSetId(DataViewSchema input) => checked(input.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);

    /// <summary>Annotations of one output column; <paramref name="extra"/> adds task-specific ones (slot names, key values).</summary>
    public static DataViewSchema.Annotations Annotations(uint setId, string columnKind, string valueKind, bool isNormalized = false, Action<DataViewSchema.Annotations.Builder>? extra = null)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        extra?.Invoke(builder);
        builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint v) => v = setId);
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = columnKind.AsMemory());
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = valueKind.AsMemory());
        if (isNormalized)
            builder.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool v) => v = true);
        return builder.ToAnnotations();
    }

    /// <summary>The <see cref="SchemaShape"/> of a scalar or vector output column with the standard trainer annotations.</summary>
    public static SchemaShape.Column Shape(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, bool isNormalized = false, IEnumerable<SchemaShape.Column>? annotations = null) =>
        new(name, kind, itemType, isKey, new SchemaShape((annotations ?? AnnotationUtils.GetTrainerOutputAnnotation(isNormalized)).ToArray()));
}
