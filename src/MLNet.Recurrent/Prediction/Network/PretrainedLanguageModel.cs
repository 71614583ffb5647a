using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Starts a classifier's encoder from a trained language model (ULMFiT, Howard &amp; Ruder 2018): the token embedding and
/// the forward direction of every recurrent layer take the language model's weights; a bidirectional encoder's backward
/// direction, the pooling and the head start as usual. Tokens are matched by their text when both token columns carry a
/// vocabulary (tokens the language model lacks keep their fresh start), else by id, which then needs vocabularies of one size.
/// </summary>
internal sealed class PretrainedLanguageModel
{
    private readonly LanguageModelTransformer model;
    private readonly int[] sourceRow;

    private PretrainedLanguageModel(LanguageModelTransformer model, int[] sourceRow, int matched)
    {
        this.model = model;
        this.sourceRow = sourceRow;
        MatchedTokens = matched;
    }

    /// <summary>How many of the classifier's token ids got a row of the language model's embedding.</summary>
    public int MatchedTokens { get; }

    /// <summary>
    /// Checks that <paramref name="model"/> fits the classifier <paramref name="options"/> describe (cell, sizes, layers)
    /// and maps its tokens onto the classifier's <paramref name="vocabularySize"/> ids; throws
    /// <see cref="InvalidOperationException"/> naming every mismatch.
    /// </summary>
    public static PretrainedLanguageModel Match(LanguageModelTransformer model, RecurrentTrainerOptions options, int vocabularySize, string[]? tokenTexts, string featureColumn)
    {
        var mismatches = new List<string>();
        void Same<T>(string name, T classifier, T languageModel)
        {
            if (!EqualityComparer<T>.Default.Equals(classifier, languageModel))
                mismatches.Add($"{name} is {classifier} but the language model's is {languageModel}");
        }
        Same(nameof(options.Cell), options.Cell, model.Cell);
        Same(nameof(options.EmbeddingSize), options.EmbeddingSize, model.EmbeddingSize);
        Same(nameof(options.HiddenSize), options.HiddenSize, model.HiddenSize);
        Same(nameof(options.NumberOfLayers), options.NumberOfLayers, model.NumberOfLayers);
        if (mismatches.Count > 0)
            throw new InvalidOperationException($"{nameof(RecurrentTrainerOptions.PretrainedLanguageModel)} does not fit this classifier: {string.Join("; ", mismatches)}. Set these options to the language model's values.");

        int[] source = new int[vocabularySize];
        IReadOnlyList<string>? lmTokens = model.Vocabulary;
        int matched = 0;
        if (tokenTexts is not null && lmTokens is not null)
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int j = lmTokens.Count - 1; j >= 2; j--)
                ids[lmTokens[j]] = j;
            for (int i = 0; i < vocabularySize; i++)
            {
                // <pad> and <unk> are ids 0 and 1 on both sides whatever their text.
                int j = i < 2 ? i : i < tokenTexts.Length && ids.TryGetValue(tokenTexts[i], out int found) ? found : -1;
                source[i] = j;
                if (j >= 2)
                    matched++;
            }
            if (matched == 0)
                throw new InvalidOperationException($"No token of the feature column '{featureColumn}' is in the vocabulary of {nameof(RecurrentTrainerOptions.PretrainedLanguageModel)} ({lmTokens.Count} tokens, e.g. '{string.Join("', '", lmTokens.Skip(2).Take(3))}'); train the language model on the same token column.");
        }
        else
        {
            if (model.VocabularySize != vocabularySize)
                throw new InvalidOperationException($"The feature column '{featureColumn}' has {vocabularySize} token ids but {nameof(RecurrentTrainerOptions.PretrainedLanguageModel)} has {model.VocabularySize}, and one of the two token columns has no \"{TokenAnnotations.Vocabulary}\" annotation to match tokens by text; train the language model on the same token column.");
            for (int i = 0; i < vocabularySize; i++)
                source[i] = i;
            matched = Math.Max(0, vocabularySize - 2);
        }
        return new PretrainedLanguageModel(model, source, matched);
    }

    /// <summary>The language model in <paramref name="path"/>, a model zip saved by <c>mlContext.Model.Save</c> (alone or in a pipeline).</summary>
    public static LanguageModelTransformer Load(IHostEnvironment env, string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{nameof(RecurrentTrainerOptions.PretrainedLanguageModelPath)} '{path}' does not exist.", path);
        ITransformer loaded = new MLContext().Model.Load(path, out _);
        LanguageModelTransformer? found = loaded as LanguageModelTransformer
            ?? (loaded as IEnumerable<ITransformer>)?.OfType<LanguageModelTransformer>().LastOrDefault();
        if (found is null)
        {
            (loaded as IDisposable)?.Dispose();
            throw new InvalidOperationException($"The model in {nameof(RecurrentTrainerOptions.PretrainedLanguageModelPath)} '{path}' holds no language model (a LanguageModelTransformer, from TrainLanguageModel).");
        }
        return found;
    }

    /// <summary>Whether the classifier network's parameter <paramref name="parameterName"/> is one this start fills (for discriminative rates and unfreezing).</summary>
    public static bool IsPretrained(string parameterName) =>
        parameterName == "encoder.embedding.weight"
        || parameterName.StartsWith("encoder.rnn.", StringComparison.Ordinal) && !parameterName.EndsWith("_reverse", StringComparison.Ordinal);

    /// <summary>Copies the language model's embedding rows and forward recurrent weights into <paramref name="classifier"/>.</summary>
    public void Apply(RecurrentSequenceModel classifier)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var lm = model.Model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var target = classifier.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

        Tensor embedding = target["encoder.embedding.weight"];
        Tensor sourceEmbedding = lm["embedding.weight"].to(embedding.device);
        int[] rows = Enumerable.Range(0, sourceRow.Length).Where(i => sourceRow[i] >= 0).ToArray();
        Tensor into = tensor(rows.Select(i => (long)i).ToArray(), device: embedding.device);
        Tensor from = tensor(rows.Select(i => (long)sourceRow[i]).ToArray(), device: embedding.device);
        embedding.index_copy_(0, into, sourceEmbedding.index_select(0, from));

        foreach (var (name, tensor) in lm.Where(p => p.Key.StartsWith("rnn.", StringComparison.Ordinal)))
        {
            string encoderName = "encoder." + name;
            if (!target.TryGetValue(encoderName, out Tensor? destination))
                throw new InvalidOperationException($"The classifier has no '{encoderName}' for the language model's '{name}'.");
            destination.copy_(tensor);
        }
    }
}
