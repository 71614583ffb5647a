namespace MLNet.Recurrent;

/// <summary>
/// How <see cref="LanguageModelTransformer.Generate(string, int, GenerationOptions?)"/> picks each next token. Filters
/// apply in this order: temperature, top-k, top-p; then a token is drawn. <c>&lt;pad&gt;</c> is never generated.
/// Invalid values make Generate throw <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/>) naming the option.
/// </summary>
public sealed class GenerationOptions
{
    /// <summary>
    /// Divides the logits before sampling: below 1 sharper (more predictable text), above 1 flatter (more surprising).
    /// 0 means greedy decoding (always the most likely token; ties go to the lowest id). Must be finite and at least 0. Default 1.
    /// </summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>Sample only among the <c>TopK</c> most likely tokens; 0 (default) keeps all. At least 0.</summary>
    public int TopK { get; set; }

    /// <summary>Nucleus sampling: sample only among the most likely tokens whose probabilities add up to at least <c>TopP</c>. In (0, 1]; 1 (default) keeps all.</summary>
    public double TopP { get; set; } = 1.0;

    /// <summary>Seed of the sampler; the same seed, prompt and model give the same text. <see langword="null"/> (default) draws a random seed.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Generation ends as soon as the generated text contains this string; the returned text ends just before it. Null
    /// (default) for none; must not be empty. Generation also ends at <c>&lt;eos&gt;</c> when the vocabulary has one.
    /// </summary>
    public string? StopSequence { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, $"Temperature is {Temperature}; it must be a finite number of at least 0 (0 = greedy).");
        if (TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"TopK is {TopK}; it must be at least 0 (0 = no limit).");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, $"TopP is {TopP}; it must be in (0, 1] (1 = no limit).");
        if (StopSequence is { Length: 0 })
            throw new ArgumentException("StopSequence is empty; use null for no stop sequence.", nameof(StopSequence));
    }
}
