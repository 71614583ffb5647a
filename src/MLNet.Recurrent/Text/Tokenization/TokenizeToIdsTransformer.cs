using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Recurrent;

[assembly: LoadableClass(typeof(TokenizeToIdsTransformer), null, typeof(SignatureLoadModel),
    TokenizeToIdsTransformer.UserName, TokenizeToIdsTransformer.LoaderSignature)]

namespace MLNet.Recurrent;

/// <summary>
/// The fitted tokenizer: maps a text column to a variable-length <see cref="int"/> vector of token ids
/// (the token-id column contract of docs/design.md) carrying the <c>"Vocabulary"</c> and <c>"TokenizerModel"</c>
/// annotations. Created by <see cref="TokenizeToIdsEstimator.Fit"/>; saved and loaded with the ML.NET model zip.
/// </summary>
public sealed partial class TokenizeToIdsTransformer : ITransformer
{
    internal const string LoaderSignature = "MLNetRecTokenizeToIds";
    internal const string UserName = "MLNet.Recurrent Tokenize To Ids";
    internal const string ComponentName = "TokenizeToIds transformer";
    private const string CodecStreamName = "TokenCodec.bin";
    private const string RegistrationName = "TokenizeToIds";

    private readonly IHost _host;
    private readonly Lazy<byte[]> _codecBytes;

    internal TokenizeToIdsTransformer(IHostEnvironment env, TokenCodec codec, int maximumLength, TruncationSide truncation,
        string outputColumnName, string inputColumnName)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(RegistrationName);
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Codec = codec;
        MaximumLength = maximumLength > 0 ? maximumLength : null;
        Truncation = truncation;
        _codecBytes = new Lazy<byte[]>(codec.ToBytes, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private TokenizeToIdsTransformer(IHost host, ModelLoadContext ctx)
    {
        // *** Binary format (version 0x00010001) ***
        // int: number of column pairs (1); string ids: output column name, input column name (ML.NET's one-to-one layout)
        // int: maximum length (0 = no limit)
        // byte: truncation side
        // binary stream "TokenCodec.bin": the TokenCodec bytes (TokenCodec.ToBytes)
        _host = host;
        int pairs = ctx.Reader.ReadInt32();
        if (pairs != 1)
            throw ModelLoadGuard.Corrupt(ComponentName, $"expected one column pair, found {pairs}.");
        OutputColumnName = ctx.LoadNonEmptyString();
        InputColumnName = ctx.LoadNonEmptyString();
        int maximumLength = ctx.Reader.ReadInt32();
        var truncation = (TruncationSide)ctx.Reader.ReadByte();
        if (maximumLength < 0 || !Enum.IsDefined(truncation))
            throw ModelLoadGuard.Corrupt(ComponentName, $"invalid maximum length {maximumLength} or truncation side {(int)truncation}.");
        TokenCodec? codec = null;
        if (!ctx.TryLoadBinaryStream(CodecStreamName, reader => codec = TokenCodec.Read(reader)) || codec is null)
            throw ModelLoadGuard.Corrupt(ComponentName, $"the '{CodecStreamName}' stream is missing.");
        Codec = codec;
        MaximumLength = maximumLength > 0 ? maximumLength : null;
        Truncation = truncation;
        _codecBytes = new Lazy<byte[]>(codec.ToBytes, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The token codec (mode, standardization, vocabulary) this transformer applies to every row.</summary>
    public TokenCodec Codec { get; }

    /// <summary>The id ↔ token mapping (also the output column's <c>"Vocabulary"</c> annotation).</summary>
    public TokenVocabulary Vocabulary => Codec.Vocabulary;

    /// <summary>The tokenizer mode.</summary>
    public TokenizerMode Mode => Codec.Mode;

    /// <summary>The longest output sequence (markers included), or <see langword="null"/> for no limit.</summary>
    public int? MaximumLength { get; }

    /// <summary>Which tokens are dropped when a row is longer than <see cref="MaximumLength"/>.</summary>
    public TruncationSide Truncation { get; }

    /// <summary>The name of the output (token-id) column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The name of the input text column.</summary>
    public string InputColumnName { get; }

    /// <summary>Always true: the transformer maps rows to rows.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the token-id column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => RowMapping.OutputSchema(_host, inputSchema, MakeRowMapper);

    /// <summary>Adds the token-id column to <paramref name="input"/> (computed lazily, row by row).</summary>
    public IDataView Transform(IDataView input) => RowMapping.Transform(_host, input, MakeRowMapper);

    /// <summary>The row-to-row mapper <c>PredictionEngine</c> uses.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => RowMapping.RowToRowMapper(_host, inputSchema, MakeRowMapper);

    internal static VersionInfo GetVersionInfo() => new(
        modelSignature: "RTOKNIDS",
        verWrittenCur: 0x00010001, // initial format
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(TokenizeToIdsTransformer).Assembly.FullName);

    // Factory method for SignatureLoadModel.
    private static TokenizeToIdsTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        var host = env.Register(RegistrationName);
        host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        return ModelLoadGuard.Run(ComponentName, () => new TokenizeToIdsTransformer(host, ctx));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => SaveModel(ctx);

    private void SaveModel(ModelSaveContext ctx)
    {
        _host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(1);
        ctx.SaveNonEmptyString(OutputColumnName);
        ctx.SaveNonEmptyString(InputColumnName);
        ctx.Writer.Write(MaximumLength ?? 0);
        ctx.Writer.Write((byte)Truncation);
        byte[] codec = _codecBytes.Value;
        ctx.SaveBinaryStream(CodecStreamName, writer => writer.Write(codec));
    }

    /// <summary>The row mapper, after checking that the input column is text.</summary>
    private IRowMapper MakeRowMapper(DataViewSchema schema)
    {
        int input = SchemaErrors.Require(schema, InputColumnName, "input", TokenizeToIdsEstimator.ExpectedInputType, TokenizeToIdsEstimator.IsValidInput).Index;
        return new Mapper(this, schema, input);
    }

    /// <summary>The serialized codec for the <c>"TokenizerModel"</c> annotation.</summary>
    internal byte[] CodecBytes => _codecBytes.Value;
}
