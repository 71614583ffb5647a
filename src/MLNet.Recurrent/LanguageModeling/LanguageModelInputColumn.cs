using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>Reads a token-id column (docs/design.md contract): type checks, the two annotations, the rows' ids.</summary>
internal static class LanguageModelInputColumn
{
    internal const string VocabularyAnnotation = "Vocabulary";
    internal const string TokenizerModelAnnotation = "TokenizerModel";

    public static bool IsValid(DataViewType type) => type is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Int32;

    public static bool IsValid(SchemaShape.Column column) =>
        column.Kind is SchemaShape.Column.VectorKind.Vector or SchemaShape.Column.VectorKind.VariableVector && column.ItemType == NumberDataViewType.Int32;

    public static string Describe(string name, string actual) =>
        $"Column '{name}' must be a vector of Int32 token ids (0 = <pad>, 1 = <unk>; e.g. from mlContext.Transforms.Text.TokenizeToIds), but it is {actual}.";

    /// <summary>The column, checked; throws <see cref="ArgumentException"/> naming it.</summary>
    public static DataViewSchema.Column Find(DataViewSchema schema, string name)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"Column '{name}' (the token ids) is not in the data.", nameof(name));
        if (!IsValid(column.Type))
            throw new ArgumentException(Describe(name, column.Type.ToString() ?? "?"), nameof(name));
        return column;
    }

    /// <summary>The <c>"Vocabulary"</c> annotation (id → token text), or null.</summary>
    public static string[]? Vocabulary(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(VocabularyAnnotation);
        if (annotation is null || annotation.Value.Type is not VectorDataViewType { ItemType: TextDataViewType })
            return null;
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.Annotations.GetValue(VocabularyAnnotation, ref values);
        return values.DenseValues().Select(v => v.ToString()).ToArray();
    }

    /// <summary>The <c>"TokenizerModel"</c> annotation (serialized codec), or null.</summary>
    public static byte[]? TokenizerModel(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(TokenizerModelAnnotation);
        if (annotation is null || annotation.Value.Type is not VectorDataViewType { ItemType: var item } || item.RawType != typeof(byte))
            return null;
        VBuffer<byte> bytes = default;
        column.Annotations.GetValue(TokenizerModelAnnotation, ref bytes);
        return bytes.DenseValues().ToArray();
    }

    /// <summary>
    /// Every row's ids with <c>&lt;pad&gt;</c> (0) removed. Ids at or above <paramref name="vocabularySize"/> (when given) and
    /// negative ids throw <see cref="ArgumentException"/> when <paramref name="strict"/>, else become <c>&lt;unk&gt;</c>.
    /// </summary>
    public static List<int[]> ReadRows(IDataView data, DataViewSchema.Column column, int? vocabularySize, bool strict, Action? checkAlive)
    {
        var rows = new List<int[]>();
        using DataViewRowCursor cursor = data.GetRowCursor(new[] { column });
        ValueGetter<VBuffer<int>> getter = cursor.GetGetter<VBuffer<int>>(column);
        VBuffer<int> buffer = default;
        int limit = vocabularySize ?? int.MaxValue;
        while (cursor.MoveNext())
        {
            if ((rows.Count & 1023) == 0)
                checkAlive?.Invoke();
            getter(ref buffer);
            ReadOnlySpan<int> values = buffer.GetValues();
            var ids = new List<int>(values.Length);
            foreach (int id in values)
            {
                if (id == 0)
                    continue;
                if (id < 0 || id >= limit)
                {
                    if (strict)
                        throw new ArgumentException(id < 0
                            ? $"Column '{column.Name}' holds the negative token id {id} (row {rows.Count}); ids are at least 0."
                            : $"Column '{column.Name}' holds token id {id} (row {rows.Count}), outside its \"Vocabulary\" annotation of {limit} ids.", nameof(data));
                    ids.Add(1);
                    continue;
                }
                ids.Add(id);
            }
            rows.Add(ids.ToArray());
        }
        return rows;
    }
}
