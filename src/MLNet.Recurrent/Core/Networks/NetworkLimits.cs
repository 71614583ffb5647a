namespace MLNet.Recurrent;

/// <summary>
/// The largest networks the library builds, from options or from a saved model, in one place: every size is bounded
/// above before anything is allocated, so a mistyped option or a damaged or hostile model zip gets a clear error
/// instead of a multi-gigabyte allocation or a raw libtorch failure (docs/reliability.md). The bounds are far above
/// what recurrent text models use (embeddings of 50–1,024, hidden sizes of 64–2,048, 1–4 layers).
/// </summary>
internal static class NetworkLimits
{
    /// <summary>Most token ids (embedding rows, output classes of a language model): 16,777,216.</summary>
    public const int MaximumVocabularySize = 1 << 24;

    /// <summary>Widest embedding: 8,192.</summary>
    public const int MaximumEmbeddingSize = 1 << 13;

    /// <summary>Widest recurrent layer (per direction): 8,192.</summary>
    public const int MaximumHiddenSize = 1 << 13;

    /// <summary>Most stacked recurrent layers: 64.</summary>
    public const int MaximumLayers = 64;

    /// <summary>Most rows in a training batch (or parallel streams of a language model): 65,536.</summary>
    public const int MaximumBatchSize = 1 << 16;

    /// <summary>Most elements of one weight tensor: its bytes must fit the saved format's 2 GiB per tensor.</summary>
    public const long MaximumTensorElements = int.MaxValue / sizeof(float);

    /// <summary>Most weights of a whole network: 1,073,741,824 (4 GiB of float32).</summary>
    public const long MaximumParameters = 1L << 30;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when a network with these weight tensors would be larger than
    /// <see cref="MaximumTensorElements"/> per tensor or <see cref="MaximumParameters"/> in all; the message names the
    /// tensor and <paramref name="advice"/> says what to lower.
    /// </summary>
    public static void CheckSize(IEnumerable<(string Name, long[] Shape)> tensors, string advice)
    {
        long total = 0;
        foreach (var (name, shape) in tensors)
        {
            long elements = 1;
            foreach (long d in shape)
                elements = d > 0 && elements > MaximumTensorElements / d ? MaximumTensorElements + 1 : elements * d;
            if (elements > MaximumTensorElements)
                throw new ArgumentException($"The network's weight tensor '{name}' would be [{string.Join(" x ", shape)}], more than the {MaximumTensorElements:N0} weights one tensor may have; {advice}.");
            total += elements;
        }
        if (total > MaximumParameters)
            throw new ArgumentException($"The network would have {total:N0} weights, more than the {MaximumParameters:N0} allowed; {advice}.");
    }
}
