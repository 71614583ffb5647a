using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

public sealed partial class LanguageModelTransformer : ICanSaveModel
{
    private const string WeightsStream = "Weights.bin";
    private const string LegacyWeightsStream = "LanguageModelWeights.bin";
    private const string Component = "language model";
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
            LanguageModelArchitecture architecture = LanguageModelArchitecture.Read(r); // bounded (NetworkLimits)

            // The weights first: nothing is sized from the saved architecture before its tensors are really there.
            string stream = legacy ? LegacyWeightsStream : WeightsStream;
            string source = $"{Component} ({stream})";
            TorchWeights.Saved? weights = null;
            bool found = legacy
                ? ctx.TryLoadBinaryStream(stream, reader => weights = TorchWeights.ReadTorchSharpFormat(reader, architecture.StateShapes(), source))
                : ctx.TryLoadBinaryStream(stream, reader => weights = TorchWeights.Read(reader, architecture.StateShapes(), source));
            if (!found)
                throw ModelLoadGuard.Corrupt(Component, $"the '{stream}' stream is missing.");

            long[] counts = new long[architecture.VocabularySize];
            for (int i = 0; i < counts.Length; i++)
            {
                counts[i] = r.ReadInt64();
                if (counts[i] < 0)
                    throw ModelLoadGuard.Corrupt(Component, $"the training count of token id {i} is {counts[i]}.");
            }
            string[]? vocabulary = ReadVocabulary(r, architecture.VocabularySize);
            int codecLength = r.ReadInt32();
            if (codecLength < -1)
                throw ModelLoadGuard.Corrupt(Component, $"tokenizer length {codecLength} is invalid.");
            byte[]? tokenizer = codecLength < 0 ? null : ModelLoadGuard.ReadExactly(r, codecLength);

            var model = new RecurrentLanguageModel(architecture); // every parameter is overwritten by the saved weights
            try
            {
                weights!.CopyInto(model, source);
                return new LanguageModelTransformer(host, model, CPU, columns, vocabulary, tokenizer, counts, []);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        });
    }

    private static string[]? ReadVocabulary(BinaryReader r, int vocabularySize)
    {
        int count = r.ReadInt32();
        if (count != -1 && count != vocabularySize)
            throw ModelLoadGuard.Corrupt(Component, $"the saved vocabulary has {count} tokens for a vocabulary size of {vocabularySize}.");
        if (count < 0)
            return null;
        var tokens = new string[count];
        for (int i = 0; i < count; i++)
            tokens[i] = ModelLoadGuard.ReadUtf16(r, Component, $"token {i}");
        return tokens;
    }
}
