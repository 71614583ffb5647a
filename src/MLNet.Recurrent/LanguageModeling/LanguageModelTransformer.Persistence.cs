using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

public sealed partial class LanguageModelTransformer
{
    private const string WeightsStreamName = "LanguageModelWeights.bin";
    private const string ComponentName = "language model";
    private const int MaximumVocabulary = 1 << 24;

    internal static VersionInfo GetVersionInfo() => new(
        modelSignature: "RLANGMDL",
        verWrittenCur: 0x00010001, // initial format
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(LanguageModelTransformer).Assembly.FullName);

    /// <summary>Saves the transformer into an ML.NET model (called by <c>MLContext.Model.Save</c>).</summary>
    public override void SaveModel(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ObjectDisposedException.ThrowIf(disposed, this);
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format (0x00010001) ***
        // string ×4: input, log-likelihood, token-count, perplexity column names
        // architecture (LanguageModelArchitecture.Write)
        // long[V]: training token counts
        // int: vocabulary length (−1 = none), then per token: int length + UTF-16 code units
        // int: tokenizer-model length (−1 = none), then the bytes
        // binary stream LanguageModelWeights.bin: TorchSharp state dict
        BinaryWriter w = ctx.Writer;
        ctx.SaveNonEmptyString(columns.Input);
        ctx.SaveNonEmptyString(columns.LogLikelihood);
        ctx.SaveNonEmptyString(columns.TokenCount);
        ctx.SaveNonEmptyString(columns.Perplexity);
        model.Architecture.Write(w);
        foreach (long c in tokenCounts)
            w.Write(c);
        w.Write(vocabulary?.Length ?? -1);
        foreach (string token in vocabulary ?? Array.Empty<string>())
        {
            w.Write(token.Length);
            foreach (char c in token)
                w.Write((ushort)c);
        }
        w.Write(tokenizerModel?.Length ?? -1);
        if (tokenizerModel is not null)
            w.Write(tokenizerModel);
        ctx.SaveBinaryStream(WeightsStreamName, writer => model.save(writer));
    }

    // Factory method for SignatureLoadModel.
    private static LanguageModelTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        IHost host = env.Register(RegistrationName);
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel(GetVersionInfo());
        TorchRuntime.EnsureLoaded();
        RecurrentLanguageModel? model = null;
        try
        {
            BinaryReader r = ctx.Reader;
            var columns = new LanguageModelColumns(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
            LanguageModelArchitecture architecture = LanguageModelArchitecture.Read(r);
            if (architecture.VocabularySize > MaximumVocabulary)
                throw Corrupt($"vocabulary size {architecture.VocabularySize} is larger than {MaximumVocabulary}.");
            long[] counts = new long[architecture.VocabularySize];
            for (int i = 0; i < counts.Length; i++)
                counts[i] = r.ReadInt64();
            string[]? vocabulary = ReadVocabulary(r);
            int codecLength = r.ReadInt32();
            if (codecLength < -1 || codecLength > 1 << 30)
                throw Corrupt($"tokenizer length {codecLength} is invalid.");
            byte[]? tokenizer = codecLength < 0 ? null : r.ReadBytes(codecLength);
            if (tokenizer is not null && tokenizer.Length != codecLength)
                throw Corrupt("the tokenizer bytes are truncated.");

            // Module construction draws from libtorch's global generator: take the training lock so a model loaded
            // while another thread trains does not change that training's random stream.
            model = TorchDeterminism.Exclusive(() => new RecurrentLanguageModel(architecture));
            bool loaded = ctx.TryLoadBinaryStream(WeightsStreamName, reader => model.load(reader, strict: true));
            if (!loaded)
                throw Corrupt($"the '{WeightsStreamName}' stream is missing.");
            return new LanguageModelTransformer(host, model, CPU, columns, vocabulary, tokenizer, counts, Array.Empty<TrainingProgress>());
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or ArgumentException or IOException or OverflowException
            or System.Runtime.InteropServices.ExternalException)
        {
            model?.Dispose();
            throw Corrupt(e.Message, e);
        }
        catch
        {
            model?.Dispose();
            throw;
        }
    }

    private static string[]? ReadVocabulary(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count < -1 || count > MaximumVocabulary)
            throw Corrupt($"vocabulary length {count} is invalid.");
        if (count < 0)
            return null;
        var tokens = new string[count];
        for (int i = 0; i < count; i++)
        {
            int length = r.ReadInt32();
            if (length < 0 || length > 1 << 20)
                throw Corrupt($"token {i} has invalid length {length}.");
            tokens[i] = string.Create(length, r, static (span, reader) =>
            {
                for (int k = 0; k < span.Length; k++)
                    span[k] = (char)reader.ReadUInt16();
            });
        }
        return tokens;
    }

    private static InvalidDataException Corrupt(string detail, Exception? inner = null) =>
        new($"The saved {ComponentName} in the model is truncated or corrupted and cannot be loaded: {detail}", inner);
}
