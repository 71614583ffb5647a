using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Recurrent;

[assembly: LoadableClass(typeof(PadSequencesTransformer), null, typeof(SignatureLoadModel),
    PadSequencesTransformer.UserName, PadSequencesTransformer.LoaderSignature)]

namespace MLNet.Recurrent;

/// <summary>
/// Pads or truncates an <see cref="int"/> vector column (e.g. token ids) to a fixed length, with Keras
/// <c>pad_sequences</c> semantics, and adds a companion <see cref="int"/> length column (the original length clipped
/// to the fixed length). The padded column keeps the input's annotations (<c>"Vocabulary"</c>, <c>"TokenizerModel"</c>).
/// Created by <see cref="PadSequencesEstimator"/>; saved and loaded with the ML.NET model zip.
/// </summary>
public sealed partial class PadSequencesTransformer : ITransformer
{
    internal const string LoaderSignature = "MLNetRecPadSequences";
    internal const string UserName = "MLNet.Recurrent Pad Sequences";
    internal const string ComponentName = "PadSequences transformer";
    private const string RegistrationName = "PadSequences";

    private readonly IHost _host;

    internal PadSequencesTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName, string lengthColumnName,
        int maximumLength, PaddingSide padding, TruncationSide truncation, int padValue)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(RegistrationName);
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        LengthColumnName = lengthColumnName;
        MaximumLength = maximumLength;
        Padding = padding;
        Truncation = truncation;
        PadValue = padValue;
    }

    /// <summary>The name of the fixed-size output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The name of the input <see cref="int"/> vector column.</summary>
    public string InputColumnName { get; }

    /// <summary>The name of the <see cref="int"/> length column (original length clipped to <see cref="MaximumLength"/>).</summary>
    public string LengthColumnName { get; }

    /// <summary>The output vector size.</summary>
    public int MaximumLength { get; }

    /// <summary>Where padding goes in a shorter row.</summary>
    public PaddingSide Padding { get; }

    /// <summary>Which values a longer row loses.</summary>
    public TruncationSide Truncation { get; }

    /// <summary>The value written into padded positions.</summary>
    public int PadValue { get; }

    /// <summary>Always true: the transformer maps rows to rows.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the padded column and the length column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not a vector of <see cref="int"/>.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => RowMapping.OutputSchema(_host, inputSchema, MakeRowMapper);

    /// <summary>Adds the padded column and the length column to <paramref name="input"/> (computed lazily, row by row).</summary>
    public IDataView Transform(IDataView input) => RowMapping.Transform(_host, input, MakeRowMapper);

    /// <summary>The row-to-row mapper <c>PredictionEngine</c> uses.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => RowMapping.RowToRowMapper(_host, inputSchema, MakeRowMapper);

    internal static VersionInfo GetVersionInfo() => new(
        modelSignature: "RPADSEQS",
        verWrittenCur: 0x00010001, // initial format
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(PadSequencesTransformer).Assembly.FullName);

    // Factory method for SignatureLoadModel.
    private static PadSequencesTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        return ModelLoadGuard.Run(ComponentName, () =>
        {
            // *** Binary format (version 0x00010001) ***
            // string ids: output, input, length column names
            // int: maximum length; byte: padding side; byte: truncation side; int: pad value
            string output = ctx.LoadNonEmptyString(), input = ctx.LoadNonEmptyString(), length = ctx.LoadNonEmptyString();
            int maximumLength = ctx.Reader.ReadInt32();
            var padding = (PaddingSide)ctx.Reader.ReadByte();
            var truncation = (TruncationSide)ctx.Reader.ReadByte();
            int padValue = ctx.Reader.ReadInt32();
            if (maximumLength < 1 || !Enum.IsDefined(padding) || !Enum.IsDefined(truncation) || output == length)
                throw ModelLoadGuard.Corrupt(ComponentName, $"invalid settings (maximum length {maximumLength}, padding {(int)padding}, truncation {(int)truncation}).");
            return new PadSequencesTransformer(env, output, input, length, maximumLength, padding, truncation, padValue);
        });
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => SaveModel(ctx);

    private void SaveModel(ModelSaveContext ctx)
    {
        _host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.SaveNonEmptyString(OutputColumnName);
        ctx.SaveNonEmptyString(InputColumnName);
        ctx.SaveNonEmptyString(LengthColumnName);
        ctx.Writer.Write(MaximumLength);
        ctx.Writer.Write((byte)Padding);
        ctx.Writer.Write((byte)Truncation);
        ctx.Writer.Write(PadValue);
    }

    /// <summary>The row mapper, after checking that the input column is an <see cref="int"/> vector.</summary>
    private IRowMapper MakeRowMapper(DataViewSchema schema)
    {
        var column = SchemaErrors.Require(schema, InputColumnName, "input", PadSequencesEstimator.ExpectedInputType, PadSequencesEstimator.IsValidInput);
        return new Mapper(this, schema, column.Index);
    }

    /// <summary>Writes <paramref name="values"/> padded/truncated to <see cref="MaximumLength"/> into <paramref name="destination"/>; returns the kept length.</summary>
    internal int Pad(ReadOnlySpan<int> values, Span<int> destination)
    {
        int keep = Math.Min(values.Length, MaximumLength);
        ReadOnlySpan<int> kept = Truncation == TruncationSide.Pre ? values[(values.Length - keep)..] : values[..keep];
        int pad = MaximumLength - keep;
        if (Padding == PaddingSide.Pre)
        {
            destination[..pad].Fill(PadValue);
            kept.CopyTo(destination[pad..]);
        }
        else
        {
            kept.CopyTo(destination);
            destination[keep..MaximumLength].Fill(PadValue);
        }
        return keep;
    }
}
