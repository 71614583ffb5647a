using System.Diagnostics.CodeAnalysis;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// The annotations carried by a token-id column (produced by <see cref="TokenizeToIdsTransformer"/> and propagated by
/// <see cref="PadSequencesTransformer"/>), and helpers for components downstream that need to map ids back to text.
/// These names are the only declaration of the annotation kinds in the library.
/// </summary>
public static class TokenAnnotations
{
    /// <summary>Annotation kind: <c>VBuffer&lt;ReadOnlyMemory&lt;char&gt;&gt;</c> of length VocabularySize, id → token text.</summary>
    public const string Vocabulary = "Vocabulary";

    /// <summary>Annotation kind: <c>VBuffer&lt;byte&gt;</c>, the serialized <see cref="TokenCodec"/> (<see cref="TokenCodec.ToBytes"/>).</summary>
    public const string TokenizerModel = "TokenizerModel";

    /// <summary>Rebuilds the <see cref="TokenCodec"/> stored in <paramref name="column"/>'s <c>"TokenizerModel"</c> annotation.</summary>
    /// <returns><see langword="false"/> when the column has no such annotation.</returns>
    /// <exception cref="InvalidDataException">The annotation is present but does not hold a valid codec.</exception>
    public static bool TryGetCodec(DataViewSchema.Column column, [NotNullWhen(true)] out TokenCodec? codec)
    {
        codec = TryGetTokenizerModel(column, out byte[]? bytes) ? TokenCodec.FromBytes(bytes) : null;
        return codec is not null;
    }

    /// <summary>Reads <paramref name="column"/>'s <c>"Vocabulary"</c> annotation (token text by id).</summary>
    /// <returns><see langword="false"/> when the column has no such annotation.</returns>
    public static bool TryGetVocabulary(DataViewSchema.Column column, [NotNullWhen(true)] out string[]? tokens)
    {
        tokens = null;
        var annotation = column.Annotations.Schema.GetColumnOrNull(Vocabulary);
        if (annotation is null || annotation.Value.Type is not VectorDataViewType { ItemType: TextDataViewType })
            return false;
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.Annotations.GetValue(Vocabulary, ref values);
        tokens = values.DenseValues().Select(v => v.ToString()).ToArray();
        return true;
    }

    /// <summary>Reads the raw bytes of <paramref name="column"/>'s <c>"TokenizerModel"</c> annotation.</summary>
    internal static bool TryGetTokenizerModel(DataViewSchema.Column column, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        var annotation = column.Annotations.Schema.GetColumnOrNull(TokenizerModel);
        if (annotation is null || annotation.Value.Type is not VectorDataViewType { ItemType: NumberDataViewType } vector || vector.ItemType.RawType != typeof(byte))
            return false;
        VBuffer<byte> value = default;
        column.Annotations.GetValue(TokenizerModel, ref value);
        bytes = value.DenseValues().ToArray();
        return true;
    }
}
