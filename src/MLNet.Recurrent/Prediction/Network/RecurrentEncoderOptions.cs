namespace MLNet.Recurrent;

/// <summary>Architecture of a <see cref="RecurrentEncoder"/>: embedding → stacked RNN/LSTM/GRU → pooling.</summary>
public sealed record RecurrentEncoderOptions
{
    /// <summary>Number of token ids (embedding rows), including <c>&lt;pad&gt;</c> = 0 and <c>&lt;unk&gt;</c> = 1, in 2..16,777,216. Required.</summary>
    public int VocabularySize { get; init; }

    /// <summary>Embedding dimension, in 1..8,192. Default 64.</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>Hidden size of each recurrent layer and direction, in 1..8,192. Default 128.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Number of stacked recurrent layers, in 1..64. Default 1.</summary>
    public int NumberOfLayers { get; init; } = 1;

    /// <summary>Whether each layer also reads the sequence backwards. Default false.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Recurrent cell. Default <see cref="RecurrentCell.Lstm"/>.</summary>
    public RecurrentCell Cell { get; init; } = RecurrentCell.Lstm;

    /// <summary>Dropout between stacked layers (PyTorch semantics: not after the last layer). Default 0.</summary>
    public double Dropout { get; init; }

    /// <summary>Pooling of the per-step outputs. Default <see cref="SequencePooling.LastHidden"/>.</summary>
    public SequencePooling Pooling { get; init; } = SequencePooling.LastHidden;

    /// <summary>Whether the recurrent layers start from a learned state (one vector per layer and direction, and an LSTM's cell state) instead of zeros. Default false.</summary>
    public bool LearnInitialState { get; init; }

    /// <summary>
    /// Word n-grams of the bag added to the network's outputs (<see cref="NGramBag"/>): 0 (none), 1 (words) or 2 (words and
    /// word pairs). Default 0.
    /// </summary>
    public int NGramLength { get; init; }

    /// <summary>Hash buckets of the bag's word pairs (<see cref="NGramLength"/> 2). Default 0.</summary>
    public int NGramBuckets { get; init; }

    /// <summary>
    /// The recurrent layers read at most a row's first this many tokens, while the bag of n-grams (<see cref="NGramLength"/>)
    /// reads the whole row; 0: the recurrent layers read the whole row. In 0..16,777,216. Default 0.
    /// </summary>
    public int RecurrentLength { get; init; }

    /// <summary>
    /// Whether the bag divides its summed n-gram weights by the square root of the row's n-gram count (models written
    /// from format 0x00010003 on) rather than by the count (older models, read back as they were trained).
    /// </summary>
    internal bool NGramSquareRootScaling { get; init; } = true;

    /// <summary>Width of the pooled output: <see cref="HiddenSize"/> × (2 if bidirectional else 1).</summary>
    public int OutputSize => HiddenSize * (Bidirectional ? 2 : 1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid member and its allowed range.</summary>
    internal void Validate()
    {
        Check(VocabularySize >= 2 && VocabularySize <= NetworkLimits.MaximumVocabularySize, nameof(VocabularySize), VocabularySize, $"in 2..{NetworkLimits.MaximumVocabularySize:N0} (<pad>, <unk> and the tokens)");
        Check(EmbeddingSize >= 1 && EmbeddingSize <= NetworkLimits.MaximumEmbeddingSize, nameof(EmbeddingSize), EmbeddingSize, $"in 1..{NetworkLimits.MaximumEmbeddingSize:N0}");
        Check(HiddenSize >= 1 && HiddenSize <= NetworkLimits.MaximumHiddenSize, nameof(HiddenSize), HiddenSize, $"in 1..{NetworkLimits.MaximumHiddenSize:N0}");
        Check(NumberOfLayers >= 1 && NumberOfLayers <= NetworkLimits.MaximumLayers, nameof(NumberOfLayers), NumberOfLayers, $"in 1..{NetworkLimits.MaximumLayers}");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "in [0, 1)");
        Check(Enum.IsDefined(Cell), nameof(Cell), Cell, "Rnn, Lstm or Gru");
        Check(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "LastHidden, Mean or Max");
        Check(NGramLength is >= 0 and <= 2, nameof(NGramLength), NGramLength, "0, 1 or 2");
        Check(RecurrentLength >= 0 && RecurrentLength <= 1 << 24, nameof(RecurrentLength), RecurrentLength, "0 (the whole row) or 1..16,777,216");
        Check(NGramLength < 2 ? NGramBuckets is >= 0 and <= 1 << 24 : NGramBuckets is >= 1 and <= 1 << 24, nameof(NGramBuckets), NGramBuckets, "in 1..16,777,216 with word pairs");
    }

    private static void Check(bool ok, string name, object value, string allowed) => OptionRange.Check(ok, name, value, allowed);

    /// <summary>Writes the architecture (the prediction transformer's format 0x00010003: <see cref="RecurrentLength"/> and <see cref="NGramSquareRootScaling"/> last).</summary>
    internal void Write(BinaryWriter w)
    {
        w.Write(VocabularySize); w.Write(EmbeddingSize); w.Write(HiddenSize); w.Write(NumberOfLayers);
        w.Write(Bidirectional); w.Write((int)Cell); w.Write(Dropout); w.Write((int)Pooling);
        w.Write(LearnInitialState);
        w.Write(NGramLength);
        w.Write(NGramBuckets);
        w.Write(RecurrentLength);
        w.Write(NGramSquareRootScaling);
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote: <paramref name="withInitialState"/> false for format 0x00010001, which ends before
    /// <see cref="LearnInitialState"/>; <paramref name="withRecurrentLength"/> false for formats before 0x00010003, which end
    /// before <see cref="RecurrentLength"/> (0) and <see cref="NGramSquareRootScaling"/> (false: the bag's mean).
    /// </summary>
    internal static RecurrentEncoderOptions Read(BinaryReader r, bool withInitialState, bool withRecurrentLength)
    {
        var o = new RecurrentEncoderOptions
        {
            VocabularySize = r.ReadInt32(), EmbeddingSize = r.ReadInt32(), HiddenSize = r.ReadInt32(), NumberOfLayers = r.ReadInt32(),
            Bidirectional = r.ReadBoolean(), Cell = (RecurrentCell)r.ReadInt32(), Dropout = r.ReadDouble(), Pooling = (SequencePooling)r.ReadInt32(),
        };
        if (withInitialState)
            o = o with { LearnInitialState = r.ReadBoolean(), NGramLength = r.ReadInt32(), NGramBuckets = r.ReadInt32() };
        o = withRecurrentLength
            ? o with { RecurrentLength = r.ReadInt32(), NGramSquareRootScaling = r.ReadBoolean() }
            : o with { NGramSquareRootScaling = false };
        try { o.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"Corrupt recurrent encoder settings in the model: {e.Message}", e); }
        return o;
    }
}
