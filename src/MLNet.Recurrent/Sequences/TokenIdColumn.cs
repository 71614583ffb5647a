using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// The token-id input column of a sequence model (docs/design.md): a variable-length or fixed-size vector of
/// <see cref="int"/>, or a vector of keys (key k = token id k). Validates the type, finds the vocabulary size
/// from the <c>"Vocabulary"</c> annotation or the key count, and creates per-row readers.
/// </summary>
internal sealed class TokenIdColumn
{
    /// <summary>Name of the id → token-text annotation that <c>TokenizeToIds</c> puts on its output.</summary>
    public const string VocabularyAnnotation = "Vocabulary";

    private const string Expected = "a vector of Int32 token ids (TokenizeToIds / PadSequences output) or a vector of keys (MapValueToKey output)";

    private TokenIdColumn(DataViewSchema.Column column, bool isKey, int? annotatedVocabularySize)
    {
        Column = column;
        IsKey = isKey;
        AnnotatedVocabularySize = annotatedVocabularySize;
    }

    public DataViewSchema.Column Column { get; }

    public string Name => Column.Name;

    /// <summary>Whether the column holds keys (key value k is id k, 0 = missing = padding).</summary>
    public bool IsKey { get; }

    /// <summary>Vocabulary size from the <c>"Vocabulary"</c> annotation or the key count + 1, when known from the schema.</summary>
    public int? AnnotatedVocabularySize { get; }

    /// <summary>Finds and validates the column; throws <see cref="ArgumentOutOfRangeException"/> naming it otherwise.</summary>
    public static TokenIdColumn Find(DataViewSchema schema, string name, string paramName = "inputSchema")
    {
        if (schema.GetColumnOrNull(name) is not DataViewSchema.Column column)
            throw SchemaErrors.Missing(paramName, "feature", name, Expected);
        if (column.Type is not VectorDataViewType vector)
            throw SchemaErrors.Mismatch(paramName, "feature", name, Expected, column.Type);

        int? vocabulary = null;
        if (column.Annotations.Schema.GetColumnOrNull(VocabularyAnnotation)?.Type is VectorDataViewType { Size: > 0 } vocabType)
            vocabulary = vocabType.Size;

        if (vector.ItemType is KeyDataViewType key)
        {
            if (key.RawType != typeof(uint) && key.RawType != typeof(ushort) && key.RawType != typeof(byte) && key.RawType != typeof(ulong))
                throw SchemaErrors.Mismatch(paramName, "feature", name, Expected, column.Type);
            if (vocabulary is null && key.Count > 0 && key.Count < int.MaxValue)
                vocabulary = (int)key.Count + 1;
            return new TokenIdColumn(column, true, vocabulary);
        }
        if (vector.ItemType != NumberDataViewType.Int32)
            throw SchemaErrors.Mismatch(paramName, "feature", name, Expected, column.Type);
        return new TokenIdColumn(column, false, vocabulary);
    }

    /// <summary>The <see cref="SchemaShape"/> counterpart of <see cref="Find"/> (estimators' GetOutputSchema).</summary>
    public static void Check(SchemaShape shape, string name)
    {
        if (!shape.TryFindColumn(name, out var column))
            throw SchemaErrors.Missing("inputSchema", "feature", name, Expected);
        bool vector = column.Kind is SchemaShape.Column.VectorKind.Vector or SchemaShape.Column.VectorKind.VariableVector;
        bool ok = vector && (column.IsKey || column.ItemType == NumberDataViewType.Int32);
        if (!ok)
            throw SchemaErrors.Mismatch("inputSchema", "feature", name, Expected, column.GetTypeString());
    }

    /// <summary>A reader of this column for rows of a cursor (or row) over a schema that contains it.</summary>
    public TokenIdReader CreateReader(DataViewRow row)
    {
        DataViewSchema.Column column = row.Schema[Column.Index];
        if (!IsKey)
            return new TokenIdReader(row.GetGetter<VBuffer<int>>(column));
        Type raw = ((VectorDataViewType)column.Type).ItemType.RawType;
        if (raw == typeof(uint))
            return TokenIdReader.ForKeys(row.GetGetter<VBuffer<uint>>(column), k => k);
        if (raw == typeof(ushort))
            return TokenIdReader.ForKeys(row.GetGetter<VBuffer<ushort>>(column), k => k);
        if (raw == typeof(byte))
            return TokenIdReader.ForKeys(row.GetGetter<VBuffer<byte>>(column), k => k);
        return TokenIdReader.ForKeys(row.GetGetter<VBuffer<ulong>>(column), k => k);
    }

    /// <summary>
    /// Token texts by id (index = id) from the <c>"Vocabulary"</c> annotation, or from text key values (id k = key value
    /// k − 1, id 0 = padding), or null when the column carries neither.
    /// </summary>
    public string[]? TokenTexts()
    {
        var annotations = Column.Annotations;
        if (annotations.Schema.GetColumnOrNull(VocabularyAnnotation) is { Type: VectorDataViewType { ItemType: TextDataViewType } } vocab)
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            annotations.GetValue(vocab.Name, ref values);
            return values.DenseValues().Select(v => v.ToString()).ToArray();
        }
        if (IsKey && annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
            return new[] { "<pad>" }.Concat(values.DenseValues().Select(v => v.ToString())).ToArray();
        }
        return null;
    }
}
