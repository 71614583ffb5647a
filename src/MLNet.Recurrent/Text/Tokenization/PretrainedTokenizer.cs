using System.IO.Compression;
using Microsoft.ML.Tokenizers;

namespace MLNet.Recurrent;

/// <summary>
/// A <c>Microsoft.ML.Tokenizers</c> tokenizer together with the bytes it was built from, so that
/// <see cref="TokenizeToIdsTransformer"/> can save it inside the ML.NET model zip and rebuild it on load
/// without the original files or data packages. Create one with the factory methods
/// (<see cref="Tiktoken"/>, <see cref="TiktokenFromFile"/>, <see cref="Bpe"/>, <see cref="WordPiece"/>,
/// <see cref="Bert"/>, <see cref="SentencePiece"/>) and pass it as <see cref="TokenizerOptions.Pretrained"/>.
/// </summary>
public sealed class PretrainedTokenizer
{
    private const string ComponentName = "TokenizeToIds pretrained tokenizer";

    private readonly byte[][] _blobs;
    private readonly string _parameter;

    private PretrainedTokenizer(PretrainedTokenizerKind kind, string name, string parameter, byte[][] blobs)
    {
        Kind = kind;
        Name = name;
        _parameter = parameter;
        _blobs = blobs;
        Tokenizer = Build();
        Tokens = PretrainedVocabularyReader.ReadTokens(kind, Tokenizer, blobs);
    }

    /// <summary>The tokenizer family.</summary>
    public PretrainedTokenizerKind Kind { get; }

    /// <summary>A short description, e.g. <c>"Tiktoken cl100k_base"</c> or the source file name.</summary>
    public string Name { get; }

    /// <summary>The rebuilt <c>Microsoft.ML.Tokenizers</c> tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The size of the tokenizer's own id space (its largest id + 1), before the reserved ids are added.</summary>
    public int VocabularySize => Tokens.Length;

    /// <summary>
    /// An OpenAI Tiktoken encoding from its <c>Microsoft.ML.Tokenizers.Data.*</c> package, which the application must
    /// reference (e.g. <c>Microsoft.ML.Tokenizers.Data.Cl100kBase</c>); the encoding's data is copied into the model.
    /// </summary>
    /// <param name="encodingName"><c>cl100k_base</c> (default, GPT-4), <c>o200k_base</c> (GPT-4o), <c>p50k_base</c> or <c>r50k_base</c>.</param>
    public static PretrainedTokenizer Tiktoken(string encodingName = "cl100k_base")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(encodingName);
        (string model, string data) = encodingName.ToLowerInvariant() switch
        {
            "cl100k_base" => ("gpt-4", "Cl100kBase"),
            "o200k_base" => ("gpt-4o", "O200kBase"),
            "p50k_base" => ("text-davinci-003", "P50kBase"),
            "r50k_base" => ("text-davinci-001", "R50kBase"),
            _ => throw new ArgumentException($"Tiktoken encoding '{encodingName}' is not supported; allowed: cl100k_base, o200k_base, p50k_base, r50k_base (or use TiktokenFromFile).", nameof(encodingName)),
        };
        string package = "Microsoft.ML.Tokenizers.Data." + data;
        Type? dataType = Type.GetType($"Microsoft.ML.Tokenizers.{data}TokenizerData, {package}", throwOnError: false);
        if (dataType is null)
            throw new InvalidOperationException($"The Tiktoken encoding '{encodingName}' needs the NuGet package {package}: add <PackageReference Include=\"{package}\" /> to the application.");
        string resource = dataType.Assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".tiktoken.deflate", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Package {package} does not contain Tiktoken data (resource '*.tiktoken.deflate').");
        using Stream stream = dataType.Assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new PretrainedTokenizer(PretrainedTokenizerKind.Tiktoken, "Tiktoken " + encodingName.ToLowerInvariant(), model, [copy.ToArray()]);
    }

    /// <summary>A Tiktoken tokenizer from a <c>.tiktoken</c> ranks file, using the regex and special tokens of <paramref name="modelName"/> (e.g. <c>gpt-4</c>).</summary>
    public static PretrainedTokenizer TiktokenFromFile(string vocabFilePath, string modelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        byte[] raw = ReadFile(vocabFilePath, nameof(vocabFilePath));
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(raw);
        return new PretrainedTokenizer(PretrainedTokenizerKind.Tiktoken, $"Tiktoken {Path.GetFileName(vocabFilePath)} ({modelName})", modelName, [compressed.ToArray()]);
    }

    /// <summary>Byte-pair encoding (<c>BpeTokenizer</c> with its default word/non-word pre-tokenizer) from a <c>vocab.json</c> and a <c>merges.txt</c>.</summary>
    /// <param name="vocabFilePath">JSON object token → id.</param>
    /// <param name="mergesFilePath">The merges, one pair per line.</param>
    /// <param name="unknownToken">The vocabulary's unknown token (e.g. <c>"[UNK]"</c>), or null (default) when it has none.</param>
    public static PretrainedTokenizer Bpe(string vocabFilePath, string mergesFilePath, string? unknownToken = null) =>
        new(PretrainedTokenizerKind.Bpe, "BPE " + Path.GetFileName(vocabFilePath), unknownToken ?? "",
            [ReadFile(vocabFilePath, nameof(vocabFilePath)), ReadFile(mergesFilePath, nameof(mergesFilePath))]);

    /// <summary>WordPiece (<c>WordPieceTokenizer</c>, default options: <c>[UNK]</c>, <c>##</c> prefix) from a <c>vocab.txt</c> (one token per line, line number = id).</summary>
    public static PretrainedTokenizer WordPiece(string vocabFilePath) =>
        new(PretrainedTokenizerKind.WordPiece, "WordPiece " + Path.GetFileName(vocabFilePath), "", [ReadFile(vocabFilePath, nameof(vocabFilePath))]);

    /// <summary>
    /// BERT (<c>BertTokenizer</c>: BERT normalization and pre-tokenization, then WordPiece) from a <c>vocab.txt</c> that contains
    /// <c>[PAD]</c>, <c>[UNK]</c>, <c>[CLS]</c>, <c>[SEP]</c> and <c>[MASK]</c>. <c>[CLS]</c>/<c>[SEP]</c> are not added to rows; use
    /// <see cref="TokenizerOptions.AddBeginningOfSequence"/>/<see cref="TokenizerOptions.AddEndOfSequence"/> for markers.
    /// </summary>
    /// <param name="vocabFilePath">One token per line, line number = id.</param>
    /// <param name="lowerCase">Whether text is lower-cased first (uncased models); default true.</param>
    public static PretrainedTokenizer Bert(string vocabFilePath, bool lowerCase = true) =>
        new(PretrainedTokenizerKind.Bert, "BERT " + Path.GetFileName(vocabFilePath), lowerCase ? "lower" : "cased", [ReadFile(vocabFilePath, nameof(vocabFilePath))]);

    /// <summary>SentencePiece (<c>SentencePieceTokenizer</c>, BPE or Unigram) from a <c>.model</c> file; its own BOS/EOS are not added (use <see cref="TokenizerOptions.AddBeginningOfSequence"/>).</summary>
    public static PretrainedTokenizer SentencePiece(string modelFilePath) =>
        new(PretrainedTokenizerKind.SentencePiece, "SentencePiece " + Path.GetFileName(modelFilePath), "", [ReadFile(modelFilePath, nameof(modelFilePath))]);

    /// <summary>The tokenizer's token texts indexed by its own ids (holes are empty strings).</summary>
    internal string[] Tokens { get; }

    /// <summary>Writes kind, name, parameter and source bytes.</summary>
    internal void Write(BinaryWriter writer)
    {
        writer.Write((byte)Kind);
        ModelLoadGuard.WriteUtf16(writer, Name);
        ModelLoadGuard.WriteUtf16(writer, _parameter);
        writer.Write(_blobs.Length);
        foreach (byte[] blob in _blobs)
            ModelLoadGuard.WriteBytes(writer, blob);
    }

    /// <summary>Reads what <see cref="Write"/> wrote and rebuilds the tokenizer.</summary>
    internal static PretrainedTokenizer Read(BinaryReader reader)
    {
        var kind = (PretrainedTokenizerKind)reader.ReadByte();
        if (!Enum.IsDefined(kind))
            throw ModelLoadGuard.Corrupt(ComponentName, $"unknown pretrained tokenizer kind {(int)kind}.");
        string name = ModelLoadGuard.ReadUtf16(reader, ComponentName, "name");
        string parameter = ModelLoadGuard.ReadUtf16(reader, ComponentName, "parameter");
        int count = ModelLoadGuard.ReadCount(reader, ComponentName, "number of data blobs", max: 8);
        var blobs = new byte[count][];
        for (int i = 0; i < count; i++)
            blobs[i] = ModelLoadGuard.ReadBytes(reader, ComponentName, "tokenizer data");
        if (count != BlobCount(kind))
            throw ModelLoadGuard.Corrupt(ComponentName, $"{kind} needs {BlobCount(kind)} data blobs, found {count}.");
        try
        {
            return new PretrainedTokenizer(kind, name, parameter, blobs);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw ModelLoadGuard.Corrupt(ComponentName, $"the saved {kind} tokenizer data could not be rebuilt ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static int BlobCount(PretrainedTokenizerKind kind) => kind == PretrainedTokenizerKind.Bpe ? 2 : 1;

    private Tokenizer Build()
    {
        MemoryStream Blob(int i) => new(_blobs[i], writable: false);
        switch (Kind)
        {
            case PretrainedTokenizerKind.Tiktoken:
                using (var deflate = new DeflateStream(Blob(0), CompressionMode.Decompress))
                    return TiktokenTokenizer.CreateForModel(_parameter, deflate);
            case PretrainedTokenizerKind.Bpe:
                using (Stream vocab = Blob(0), merges = Blob(1))
                {
                    return BpeTokenizer.Create(vocab, merges, preTokenizer: PreTokenizer.CreateWordOrNonWord(),
                        unknownToken: _parameter.Length == 0 ? null : _parameter);
                }
            case PretrainedTokenizerKind.WordPiece:
                using (Stream vocab = Blob(0))
                    return WordPieceTokenizer.Create(vocab);
            case PretrainedTokenizerKind.Bert:
                using (Stream vocab = Blob(0))
                    return BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = _parameter == "lower" });
            case PretrainedTokenizerKind.SentencePiece:
                using (Stream model = Blob(0))
                    return SentencePieceTokenizer.Create(model, addBeginningOfSentence: false, addEndOfSentence: false);
            default:
                throw new InvalidDataException($"Unknown pretrained tokenizer kind {(int)Kind}.");
        }
    }

    private static byte[] ReadFile(string path, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path, parameterName);
        if (!File.Exists(path))
            throw new ArgumentException($"Tokenizer file '{path}' does not exist.", parameterName);
        return File.ReadAllBytes(path);
    }
}
