using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// The token-id column contract (docs/design.md), in one place for every component that reads token ids — the
/// recurrent trainers, the language model, and their scoring paths:
/// <list type="bullet">
/// <item>Type: a variable-length or fixed-size vector of <see cref="int"/> (<c>TokenizeToIds</c>, <c>PadSequences</c>), or
/// a vector of keys (<c>MapValueToKey</c>; key k is token id k, key 0 = missing).</item>
/// <item>Id 0 is padding wherever it appears and is dropped; ids outside <c>[0, vocabulary size)</c> (negative ones
/// included) are read as 1 (<c>&lt;unk&gt;</c>) — in training, validation, evaluation and prediction alike.</item>
/// <item>Vocabulary size: the length of the <see cref="TokenAnnotations.Vocabulary"/> annotation, else the key count + 1,
/// else (training only) the largest id seen + 1.</item>
/// </list>
/// </summary>
internal sealed class TokenIdColumn
{
    /// <summary>What a token-id column must be, as error messages say it.</summary>
    public const string Expected = "a vector of Int32 token ids (TokenizeToIds / PadSequences output) or a vector of keys (MapValueToKey output)";

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

    /// <summary>Vocabulary size from the <c>"Vocabulary"</c> annotation or the key count + 1, when the schema tells it.</summary>
    public int? AnnotatedVocabularySize { get; }

    /// <summary>Finds and validates the column; throws <see cref="ArgumentOutOfRangeException"/> naming it otherwise.</summary>
    /// <param name="schema">The data's schema.</param>
    /// <param name="name">The column.</param>
    /// <param name="paramName">The parameter the schema came from (for the exception).</param>
    /// <param name="role">What the column is to the caller: <c>"feature"</c> (trainers) or <c>"input"</c> (transforms).</param>
    public static TokenIdColumn Find(DataViewSchema schema, string name, string paramName = "inputSchema", string role = "feature")
    {
        DataViewSchema.Column column = SchemaErrors.Require(schema, name, role, Expected, IsValid, paramName);
        var vector = (VectorDataViewType)column.Type;
        int? vocabulary = null;
        if (column.Annotations.Schema.GetColumnOrNull(TokenAnnotations.Vocabulary)?.Type is VectorDataViewType { Size: > 0 } vocabType)
            vocabulary = vocabType.Size;
        if (vector.ItemType is KeyDataViewType key)
        {
            if (vocabulary is null && key.Count > 0 && key.Count < int.MaxValue)
                vocabulary = (int)key.Count + 1;
            return new TokenIdColumn(column, true, vocabulary);
        }
        return new TokenIdColumn(column, false, vocabulary);
    }

    /// <summary>The <see cref="SchemaShape"/> counterpart of <see cref="Find"/> (estimators' <c>GetOutputSchema</c>).</summary>
    public static SchemaShape.Column Check(SchemaShape shape, string name, string role = "feature") =>
        SchemaErrors.Require(shape, name, role, Expected, column =>
            column.Kind is SchemaShape.Column.VectorKind.Vector or SchemaShape.Column.VectorKind.VariableVector
            && (column.IsKey ? IsKeyRawType(column.ItemType.RawType) : column.ItemType == NumberDataViewType.Int32));

    private static bool IsValid(DataViewType type) => type is VectorDataViewType vector
        && (vector.ItemType is KeyDataViewType key ? IsKeyRawType(key.RawType) : vector.ItemType == NumberDataViewType.Int32);

    private static bool IsKeyRawType(Type raw) => raw == typeof(uint) || raw == typeof(ushort) || raw == typeof(byte) || raw == typeof(ulong);

    /// <summary>
    /// The vocabulary size: the annotated one, else <paramref name="largestIdSeen"/> + 1 (at least 2: <c>&lt;pad&gt;</c>
    /// and <c>&lt;unk&gt;</c>), which must not exceed <paramref name="maximumInferred"/>.
    /// </summary>
    /// <param name="largestIdSeen">The largest id read.</param>
    /// <param name="row">The row it was read from (−1 unknown), for the error.</param>
    /// <param name="maximumInferred">The largest vocabulary the ids may imply.</param>
    /// <param name="option">The option that sets <paramref name="maximumInferred"/>, for the error.</param>
    /// <exception cref="InvalidOperationException">The ids imply a larger vocabulary.</exception>
    public int VocabularySize(int largestIdSeen, long row, int maximumInferred, string option)
    {
        if (AnnotatedVocabularySize is int annotated)
            return annotated;
        if (largestIdSeen >= maximumInferred)
            throw new InvalidOperationException(
                $"Column '{Name}' has no \"{TokenAnnotations.Vocabulary}\" annotation and is not a key column, so the vocabulary is sized from the largest token id; " +
                $"{(row >= 0 ? $"row {row} (0-based)" : "a row")} has id {largestIdSeen}, which would need a vocabulary of {(long)largestIdSeen + 1:N0} ids, more than {option} = {maximumInferred:N0}. " +
                $"Declare the vocabulary (TokenizeToIds adds the annotation; MapValueToKey makes the ids keys), map the ids to a smaller range, or raise {option} (at most {NetworkLimits.MaximumVocabularySize:N0}).");
        return Math.Max(2, largestIdSeen + 1);
    }

    /// <summary>A reader of this column for rows of a cursor (or row) over a schema that contains it.</summary>
    public TokenIdReader CreateReader(DataViewRow row)
    {
        DataViewSchema.Column column = row.Schema[Column.Index];
        if (!IsKey)
            return new TokenIdReader(row.GetGetter<VBuffer<int>>(column)) { Row = row };
        Type raw = ((VectorDataViewType)column.Type).ItemType.RawType;
        if (raw == typeof(uint))
            return TokenIdReader.ForKeys(row.GetGetter<VBuffer<uint>>(column), k => k, row);
        if (raw == typeof(ushort))
            return TokenIdReader.ForKeys(row.GetGetter<VBuffer<ushort>>(column), k => k, row);
        if (raw == typeof(byte))
            return TokenIdReader.ForKeys(row.GetGetter<VBuffer<byte>>(column), k => k, row);
        return TokenIdReader.ForKeys(row.GetGetter<VBuffer<ulong>>(column), k => k, row);
    }

    /// <summary>
    /// Every row's ids (the contract applied: padding dropped, ids outside <paramref name="vocabularySize"/> read as
    /// <c>&lt;unk&gt;</c>, at most <paramref name="maximumLength"/> kept; 0 = no limit for either) and the largest id seen.
    /// </summary>
    public (List<int[]> Rows, int LargestId, long LargestIdRow) ReadRows(IDataView data, int vocabularySize, int maximumLength, Action? checkAlive)
    {
        var rows = new List<int[]>();
        using DataViewRowCursor cursor = data.GetRowCursor(new[] { data.Schema[Column.Index] });
        TokenIdReader reader = CreateReader(cursor);
        while (cursor.MoveNext())
        {
            if ((rows.Count & 1023) == 0)
                checkAlive?.Invoke();
            rows.Add(reader.Read(vocabularySize, maximumLength).ToArray());
        }
        return (rows, reader.MaxIdSeen, reader.MaxIdRow);
    }

    /// <summary>
    /// Token texts by id (index = id) from the <c>"Vocabulary"</c> annotation, or from text key values (id k = key value
    /// k − 1, id 0 = padding), or null when the column carries neither.
    /// </summary>
    public string[]? TokenTexts()
    {
        if (TokenAnnotations.TryGetVocabulary(Column, out string[]? tokens))
            return tokens;
        var annotations = Column.Annotations;
        if (IsKey && annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
            return new[] { TokenVocabulary.PaddingToken }.Concat(values.DenseValues().Select(v => v.ToString())).ToArray();
        }
        return null;
    }

    /// <summary>The <c>"Vocabulary"</c> annotation (id → token text) alone, or null.</summary>
    public string[]? Vocabulary() => TokenAnnotations.TryGetVocabulary(Column, out string[]? tokens) ? tokens : null;

    /// <summary>The raw <c>"TokenizerModel"</c> annotation (a serialized <see cref="TokenCodec"/>), or null.</summary>
    public byte[]? TokenizerModel() => TokenAnnotations.TryGetTokenizerModel(Column, out byte[]? bytes) ? bytes : null;
}
