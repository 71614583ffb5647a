namespace MLNet.Recurrent;

public sealed partial class LanguageModelTransformer
{
    /// <summary>
    /// Continues <paramref name="prompt"/> by up to <paramref name="maxTokens"/> tokens and returns the generated text only
    /// (the prompt is not repeated). The prompt is encoded with the token column's tokenizer (its <c>"TokenizerModel"</c>
    /// annotation, else its <c>"Vocabulary"</c>): characters or words the vocabulary lacks become <c>&lt;unk&gt;</c> and
    /// are fed as such; when the vocabulary has <c>&lt;bos&gt;</c>, it is put in front of the prompt, as in training rows.
    /// An empty prompt therefore starts from <c>&lt;bos&gt;</c>; without <c>&lt;bos&gt;</c>, the first token is drawn (with
    /// the same temperature / top-k / top-p) from the training data's token frequencies. The prompt is run through the
    /// model once, then each token is fed with the carried state. Generation stops after <paramref name="maxTokens"/>
    /// tokens, at <c>&lt;eos&gt;</c>, or before <see cref="GenerationOptions.StopSequence"/>.
    /// </summary>
    /// <param name="prompt">Text to continue; may be empty, not null.</param>
    /// <param name="maxTokens">Most tokens to generate, at least 1 (for a character model, characters).</param>
    /// <param name="options">Sampling settings; null (default) means temperature 1 with a random seed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="prompt"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 1, or an option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The model has no tokenizer (<see cref="CanGenerateText"/> is false): use the id-level overload.</exception>
    public string Generate(string prompt, int maxTokens, GenerationOptions? options = null) =>
        string.Concat(GenerateStreaming(prompt, maxTokens, options));

    /// <summary>
    /// Like <see cref="Generate(string, int, GenerationOptions?)"/>, but yields the text piece by piece as tokens are
    /// generated (for console apps and UIs). Arguments are checked when called, not when enumerated; the concatenated
    /// pieces equal what <see cref="Generate(string, int, GenerationOptions?)"/> returns for the same seed.
    /// </summary>
    /// <param name="prompt">Text to continue; may be empty, not null.</param>
    /// <param name="maxTokens">Most tokens to generate, at least 1.</param>
    /// <param name="options">Sampling settings; null (default) means temperature 1 with a random seed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="prompt"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 1, or an option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The model has no tokenizer: use the id-level overload.</exception>
    public IEnumerable<string> GenerateStreaming(string prompt, int maxTokens, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options = Check(maxTokens, options);
        TokenCodec codec = this.codec.Value
            ?? throw new InvalidOperationException($"Column '{InputColumnName}' had neither a \"TokenizerModel\" nor a \"Vocabulary\" annotation, so this model cannot encode text; use Generate(IReadOnlyList<int> promptIds, ...) with token ids.");
        var ids = new List<int>();
        if (codec.AddsBeginningOfSequence && codec.Vocabulary.BeginningOfSequenceId is int bos && bos < VocabularySize)
            ids.Add(bos);
        foreach (int id in codec.Encode(prompt, addSequenceMarkers: false))
            ids.Add(id < VocabularySize ? id : TokenVocabulary.UnknownId);
        int? eos = codec.AddsEndOfSequence && codec.Vocabulary.EndOfSequenceId is int e && e < VocabularySize ? e : null;
        return LanguageModelGenerator.Decode(generator.Generate(ids.ToArray(), maxTokens, options, eos), codec, options.StopSequence);
    }

    /// <summary>
    /// Continues a prompt given as token ids and returns the generated ids (for models without a tokenizer, or custom
    /// decoding). <c>&lt;pad&gt;</c> (0) ids in the prompt are ignored and nothing is added in front of it; an empty
    /// prompt draws the first token from the training data's token frequencies. <see cref="GenerationOptions.StopSequence"/>
    /// is ignored; generation stops after <paramref name="maxTokens"/> ids or after <c>&lt;eos&gt;</c> when the vocabulary has one.
    /// </summary>
    /// <param name="promptIds">Ids in <c>[0, VocabularySize)</c>; may be empty, not null.</param>
    /// <param name="maxTokens">Most ids to generate, at least 1.</param>
    /// <param name="options">Sampling settings; null (default) means temperature 1 with a random seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary, <paramref name="maxTokens"/> is less than 1, or an option is out of range.</exception>
    public int[] Generate(IReadOnlyList<int> promptIds, int maxTokens, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        options = Check(maxTokens, options);
        foreach (int id in promptIds)
        {
            if ((uint)id >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(promptIds), id, $"Token id {id} is outside the vocabulary (valid ids: 0..{VocabularySize - 1}).");
        }
        int[] prompt = promptIds.Where(id => id != 0).ToArray();
        int? eos = EndOfSequenceIdOrNull();
        return generator.Generate(prompt, maxTokens, options, eos).ToArray();
    }

    private GenerationOptions Check(int maxTokens, GenerationOptions? options)
    {
        owner.ThrowIfDisposed();
        if (maxTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"maxTokens is {maxTokens}; it must be at least 1.");
        options ??= new GenerationOptions();
        options.Validate();
        // A copy: streaming reads the options lazily, after the caller may have changed them.
        return new GenerationOptions { Temperature = options.Temperature, TopK = options.TopK, TopP = options.TopP, Seed = options.Seed, StopSequence = options.StopSequence };
    }

    /// <summary><c>&lt;eos&gt;</c> from the vocabulary annotation (no tokenizer needed), else from the tokenizer when it can be read.</summary>
    private int? EndOfSequenceIdOrNull()
    {
        if (vocabulary is not null)
        {
            int eos = Array.IndexOf(vocabulary, "<eos>", 0, Math.Min(4, vocabulary.Length));
            return eos >= 2 && eos < VocabularySize ? eos : null;
        }
        try
        {
            return codec.Value is { AddsEndOfSequence: true, Vocabulary.EndOfSequenceId: int e } && e < VocabularySize ? e : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
