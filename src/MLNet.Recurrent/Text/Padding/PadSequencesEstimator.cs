using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Recurrent;

/// <summary>
/// Pads/truncates an <see cref="int"/> vector column to a fixed size and adds its length column (Keras
/// <c>pad_sequences</c> semantics). Nothing is learned: <see cref="Fit"/> only checks the schema. Create it with
/// <c>mlContext.Transforms.Text.PadSequences(...)</c> (<see cref="PadSequencesCatalog.PadSequences"/>).
/// </summary>
public sealed class PadSequencesEstimator : IEstimator<PadSequencesTransformer>
{
    internal const string ExpectedInputType = "Vector<Int32>";

    private readonly IHost _host;
    private readonly PadSequencesTransformer _transformer;

    internal PadSequencesEstimator(IHostEnvironment env, string outputColumnName, string inputColumnName, int maximumLength,
        PaddingSide padding, TruncationSide truncation, int padValue, string? lengthColumnName)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(PadSequencesEstimator));
        if (string.IsNullOrWhiteSpace(outputColumnName))
            throw new ArgumentException("The output column name must be a non-empty string.", nameof(outputColumnName));
        if (string.IsNullOrWhiteSpace(inputColumnName))
            throw new ArgumentException("The input column name must be a non-empty string.", nameof(inputColumnName));
        if (maximumLength < 1)
            throw new ArgumentException($"maxLength is {maximumLength}; allowed range: 1 to {int.MaxValue}.", "maxLength");
        if (!Enum.IsDefined(padding))
            throw new ArgumentException($"padding is {(int)padding}; allowed: PaddingSide.Pre, PaddingSide.Post.", nameof(padding));
        if (!Enum.IsDefined(truncation))
            throw new ArgumentException($"truncation is {(int)truncation}; allowed: TruncationSide.Pre, TruncationSide.Post.", nameof(truncation));
        lengthColumnName ??= outputColumnName + "Length";
        if (string.IsNullOrWhiteSpace(lengthColumnName) || lengthColumnName == outputColumnName)
            throw new ArgumentException($"lengthColumnName '{lengthColumnName}' must be a non-empty name different from the output column '{outputColumnName}'.", nameof(lengthColumnName));
        _transformer = new PadSequencesTransformer(env, outputColumnName, inputColumnName, lengthColumnName, maximumLength, padding, truncation, padValue);
    }

    /// <summary>Checks the input schema and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not a vector of <see cref="int"/>.</exception>
    public PadSequencesTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        SchemaErrors.Require(input.Schema, _transformer.InputColumnName, "input", ExpectedInputType, IsValidInput, nameof(input));
        return _transformer;
    }

    /// <summary>The schema after the transformer: the input plus the padded column (input annotations kept) and the length column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not a vector of <see cref="int"/>.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        SchemaShape.Column input = SchemaErrors.Require(inputSchema, _transformer.InputColumnName, "input", ExpectedInputType,
            c => c.Kind != SchemaShape.Column.VectorKind.Scalar && !c.IsKey && c.ItemType == NumberDataViewType.Int32);
        var columns = inputSchema.ToDictionary(c => c.Name);
        var annotations = new SchemaShape(input.Annotations.Where(a => a.Name != AnnotationUtils.Kinds.SlotNames));
        columns[_transformer.OutputColumnName] = new SchemaShape.Column(_transformer.OutputColumnName, SchemaShape.Column.VectorKind.Vector,
            NumberDataViewType.Int32, false, annotations);
        columns[_transformer.LengthColumnName] = new SchemaShape.Column(_transformer.LengthColumnName, SchemaShape.Column.VectorKind.Scalar,
            NumberDataViewType.Int32, false);
        return new SchemaShape(columns.Values);
    }

    internal static bool IsValidInput(DataViewType type) => type is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Int32;
}
