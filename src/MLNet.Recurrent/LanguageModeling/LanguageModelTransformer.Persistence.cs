using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

public sealed partial class LanguageModelTransformer : ICanSaveModel
{
    private const string WeightsStream = "Weights.bin";
    private const string LegacyWeightsStream = "LanguageModelWeights.bin";
    private const string Component = "language model";
    private const int MaximumVocabulary = 1 << 24;
    private const uint TorchWeightsVersion = 0x00010002;

    internal static VersionInfo GetVersionInfo() => new(
        modelSignature: "RLANGMDL",
        verWrittenCur: TorchWeightsVersion, // weights in the TorchWeights format (checked names, shapes, SHA-256)
        verReadableCur: TorchWeightsVersion,
        verWeCanReadBack: 0x00010001, // initial format: the same settings, weights in TorchSharp's own format
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(LanguageModelTransformer).Assembly.FullName);

    void ICanSaveModel.Save(ModelSaveContext ctx) => SaveModel(ctx);

    private void SaveModel(ModelSaveContext ctx)
    {
        host.CheckValue(ctx, nameof(ctx));
        using var use = owner.Use();
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format (0x00010002; 0x00010001 differs only in the weights stream) ***
        // string ids ×4: input, log-likelihood, token-count, perplexity column names
        // architecture (LanguageModelArchitecture.Write)
        // long[V]: training token counts
        // int: vocabulary length (−1 = none), then per token: int length + UTF-16 code units
        // int: tokenizer-model length (−1 = none), then the bytes
        // binary stream Weights.bin: TorchWeights format (0x00010001: LanguageModelWeights.bin, TorchSharp's format)
        BinaryWriter w = ctx.Writer;
        ctx.SaveNonEmptyString(columns.Input);
        ctx.SaveNonEmptyString(columns.LogLikelihood);
        ctx.SaveNonEmptyString(columns.TokenCount);
        ctx.SaveNonEmptyString(columns.Perplexity);
        architecture.Write(w);
        foreach (long c in tokenCounts)
            w.Write(c);
        w.Write(vocabulary?.Length ?? -1);
        foreach (string token in vocabulary ?? [])
            ModelLoadGuard.WriteUtf16(w, token);
        w.Write(tokenizerModel?.Length ?? -1);
        if (tokenizerModel is not null)
            w.Write(tokenizerModel);
        ctx.SaveBinaryStream(WeightsStream, writer => TorchWeights.Write(writer, use.Module));
    }

    // Factory method for SignatureLoadModel.
    private static LanguageModelTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        IHost host = env.Register(RegistrationName);
        host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        TorchRuntime.EnsureLoaded();
        bool legacy = ctx.Header.ModelVerWritten < TorchWeightsVersion;
        return ModelLoadGuard.Run(Component, () =>
        {
            BinaryReader r = ctx.Reader;
            var columns = new LanguageModelColumns(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
            LanguageModelArchitecture architecture = LanguageModelArchitecture.Read(r);
            if (architecture.VocabularySize > MaximumVocabulary)
                throw ModelLoadGuard.Corrupt(Component, $"vocabulary size {architecture.VocabularySize} is larger than {MaximumVocabulary}.");
            long[] counts = new long[architecture.VocabularySize];
            for (int i = 0; i < counts.Length; i++)
                counts[i] = r.ReadInt64();
            string[]? vocabulary = ReadVocabulary(r);
            int codecLength = r.ReadInt32();
            if (codecLength < -1 || codecLength > 1 << 30)
                throw ModelLoadGuard.Corrupt(Component, $"tokenizer length {codecLength} is invalid.");
            byte[]? tokenizer = codecLength < 0 ? null : r.ReadBytes(codecLength);
            if (tokenizer is not null && tokenizer.Length != codecLength)
                throw new EndOfStreamException("the tokenizer bytes are truncated.");

            // Every parameter is overwritten by the saved weights.
            var model = new RecurrentLanguageModel(architecture);
            try
            {
                bool loaded = legacy
                    ? ctx.TryLoadBinaryStream(LegacyWeightsStream, reader => LoadLegacyWeights(model, reader))
                    : ctx.TryLoadBinaryStream(WeightsStream, reader => TorchWeights.Read(reader, model, Component));
                if (!loaded)
                    throw ModelLoadGuard.Corrupt(Component, $"the '{(legacy ? LegacyWeightsStream : WeightsStream)}' stream is missing.");
                return new LanguageModelTransformer(host, model, CPU, columns, vocabulary, tokenizer, counts, []);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        });
    }

    /// <summary>Weights of a model saved in format 0x00010001, written by TorchSharp's <c>Module.save</c>.</summary>
    private static void LoadLegacyWeights(RecurrentLanguageModel model, BinaryReader reader)
    {
        try
        {
            model.load(reader, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or IOException or System.Runtime.InteropServices.ExternalException)
        {
            throw ModelLoadGuard.Corrupt(Component, $"the weights (format 0x00010001) cannot be read: {e.Message}", e);
        }
    }

    private static string[]? ReadVocabulary(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count < -1 || count > MaximumVocabulary)
            throw ModelLoadGuard.Corrupt(Component, $"vocabulary length {count} is invalid.");
        if (count < 0)
            return null;
        var tokens = new string[count];
        for (int i = 0; i < count; i++)
            tokens[i] = ModelLoadGuard.ReadUtf16(r, Component, $"token {i}");
        return tokens;
    }
}
