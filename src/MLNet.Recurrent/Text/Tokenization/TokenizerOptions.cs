namespace MLNet.Recurrent;

/// <summary>
/// Settings of <see cref="TokenizeToIdsEstimator"/>. Every member has a documented default; invalid
/// combinations are rejected with an <see cref="ArgumentException"/> naming the option when the estimator is
/// created. The estimator keeps its own copy, so changing an instance afterwards has no effect on it.
/// </summary>
public sealed class TokenizerOptions
{
    /// <summary>How text is split into tokens. Default <see cref="TokenizerMode.Word"/>.</summary>
    public TokenizerMode Mode { get; set; } = TokenizerMode.Word;

    /// <summary>
    /// Whether text is lower-cased (invariant culture) before it is split and looked up. Default <see langword="null"/>:
    /// <see langword="true"/> in Word mode, <see langword="false"/> in Character mode. Must stay null in Pretrained mode
    /// (the pretrained tokenizer does its own normalization).
    /// </summary>
    public bool? Lowercase { get; set; }

    /// <summary>
    /// Word mode: <see langword="true"/> keeps each punctuation or symbol character as a token of its own (like torchtext
    /// <c>basic_english</c>); <see langword="false"/> (default) drops it (like Keras <c>TextVectorization</c>'s
    /// <c>lower_and_strip_punctuation</c>). Either way punctuation separates words; an apostrophe between letters stays in
    /// the word (<c>don't</c>). Only valid in Word mode.
    /// </summary>
    public bool KeepPunctuation { get; set; }

    /// <summary>Learned vocabularies: a token must occur at least this many times in the training data. Default 1; allowed 1 or more.</summary>
    public int MinimumFrequency { get; set; } = 1;

    /// <summary>
    /// Learned vocabularies: the largest vocabulary size, reserved ids (<c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, <c>&lt;bos&gt;</c>,
    /// <c>&lt;eos&gt;</c>) included, like Keras <c>max_tokens</c>; the most frequent tokens are kept. Default <see langword="null"/> (no limit);
    /// otherwise at least the number of reserved ids + 1.
    /// </summary>
    public int? MaximumVocabularySize { get; set; }

    /// <summary>Whether every row starts with <c>&lt;bos&gt;</c> (id 2). Default <see langword="false"/>.</summary>
    public bool AddBeginningOfSequence { get; set; }

    /// <summary>Whether every row ends with <c>&lt;eos&gt;</c> (id 3, or 2 without <c>&lt;bos&gt;</c>). Default <see langword="false"/>.</summary>
    public bool AddEndOfSequence { get; set; }

    /// <summary>
    /// Word/Character mode: a fixed vocabulary (ids follow the reserved ones in list order; repeats and reserved token
    /// texts are skipped), so <c>Fit</c> does not read the data. Tokens are matched after standardization, so give them
    /// lower-cased when <see cref="Lowercase"/> applies. Default <see langword="null"/> (learn the vocabulary).
    /// </summary>
    public IReadOnlyList<string>? Vocabulary { get; set; }

    /// <summary>
    /// Like <see cref="Vocabulary"/>, read from a UTF-8 file with one token per line (text after a tab is ignored, so
    /// <c>token&lt;TAB&gt;count</c> files work; empty lines are skipped). Read by <c>Fit</c> and stored in the model.
    /// Default <see langword="null"/>.
    /// </summary>
    public string? VocabularyFile { get; set; }

    /// <summary>The tokenizer used in <see cref="TokenizerMode.Pretrained"/> mode (required there, not allowed otherwise). Default <see langword="null"/>.</summary>
    public PretrainedTokenizer? Pretrained { get; set; }

    /// <summary>
    /// The longest output sequence, <c>&lt;bos&gt;</c>/<c>&lt;eos&gt;</c> included (the markers are kept; the content is cut).
    /// Default <see langword="null"/> (no limit); otherwise more than the number of markers.
    /// </summary>
    public int? MaximumLength { get; set; }

    /// <summary>
    /// Which tokens <see cref="MaximumLength"/> drops: <see cref="TruncationSide.Post"/> (default) keeps the first tokens,
    /// <see cref="TruncationSide.Pre"/> keeps the last ones.
    /// </summary>
    public TruncationSide Truncation { get; set; } = TruncationSide.Post;

    /// <summary>Whether text is lower-cased, after applying the mode-dependent default.</summary>
    internal bool EffectiveLowercase => Mode != TokenizerMode.Pretrained && (Lowercase ?? Mode == TokenizerMode.Word);

    /// <summary>The number of reserved ids: <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c> and the enabled markers.</summary>
    internal int ReservedIdCount => 2 + (AddBeginningOfSequence ? 1 : 0) + (AddEndOfSequence ? 1 : 0);

    /// <summary>Whether the vocabulary is given (list or file) rather than learned.</summary>
    internal bool HasFixedVocabulary => Vocabulary is not null || VocabularyFile is not null;

    /// <summary>A copy (the vocabulary list is copied too).</summary>
    internal TokenizerOptions Clone()
    {
        var copy = (TokenizerOptions)MemberwiseClone();
        copy.Vocabulary = Vocabulary?.ToArray();
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and its allowed values.</summary>
    internal void Validate()
    {
        const string P = "options";
        if (!Enum.IsDefined(Mode))
            throw new ArgumentException($"TokenizerOptions.Mode is {(int)Mode}; allowed: Word, Character, Pretrained.", P);
        if (!Enum.IsDefined(Truncation))
            throw new ArgumentException($"TokenizerOptions.Truncation is {(int)Truncation}; allowed: Pre, Post.", P);
        if (MinimumFrequency < 1)
            throw new ArgumentException($"TokenizerOptions.MinimumFrequency is {MinimumFrequency}; allowed range: 1 to {int.MaxValue}.", P);
        if (MaximumVocabularySize is int size && size <= ReservedIdCount)
            throw new ArgumentException($"TokenizerOptions.MaximumVocabularySize is {size}; allowed range: {ReservedIdCount + 1} to {int.MaxValue} ({ReservedIdCount} reserved ids + at least one token), or null for no limit.", P);
        int markers = ReservedIdCount - 2;
        if (MaximumLength is int length && length <= markers)
            throw new ArgumentException($"TokenizerOptions.MaximumLength is {length}; allowed range: {markers + 1} to {int.MaxValue} (room for the {markers} <bos>/<eos> markers and one token), or null for no limit.", P);
        if (KeepPunctuation && Mode != TokenizerMode.Word)
            throw new ArgumentException($"TokenizerOptions.KeepPunctuation applies only to Mode = Word (Mode is {Mode}).", P);
        if (Vocabulary is not null && VocabularyFile is not null)
            throw new ArgumentException("TokenizerOptions.Vocabulary and TokenizerOptions.VocabularyFile are both set; allowed: at most one.", P);
        if (Vocabulary is not null && Vocabulary.Any(string.IsNullOrEmpty))
            throw new ArgumentException("TokenizerOptions.Vocabulary contains a null or empty token; allowed: non-empty strings.", P);
        if (VocabularyFile is not null && !File.Exists(VocabularyFile))
            throw new ArgumentException($"TokenizerOptions.VocabularyFile '{VocabularyFile}' does not exist.", P);
        if (HasFixedVocabulary || Mode == TokenizerMode.Pretrained)
        {
            string why = Mode == TokenizerMode.Pretrained ? "Mode = Pretrained" : "a fixed Vocabulary/VocabularyFile";
            if (MinimumFrequency != 1)
                throw new ArgumentException($"TokenizerOptions.MinimumFrequency applies only to learned vocabularies; with {why} it must stay 1.", P);
            if (MaximumVocabularySize is not null)
                throw new ArgumentException($"TokenizerOptions.MaximumVocabularySize applies only to learned vocabularies; with {why} it must stay null.", P);
        }

        if (Mode == TokenizerMode.Pretrained)
        {
            if (Pretrained is null)
                throw new ArgumentException("TokenizerOptions.Pretrained is null; Mode = Pretrained needs a tokenizer, e.g. PretrainedTokenizer.Tiktoken().", P);
            if (HasFixedVocabulary)
                throw new ArgumentException("TokenizerOptions.Vocabulary/VocabularyFile are not allowed with Mode = Pretrained (the pretrained tokenizer brings its vocabulary).", P);
            if (Lowercase is not null)
                throw new ArgumentException("TokenizerOptions.Lowercase must be null with Mode = Pretrained (the pretrained tokenizer normalizes text itself).", P);
        }
        else if (Pretrained is not null)
        {
            throw new ArgumentException($"TokenizerOptions.Pretrained is set but Mode is {Mode}; set Mode = TokenizerMode.Pretrained to use it.", P);
        }
    }
}
