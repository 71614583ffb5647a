namespace MLNet.Recurrent;

/// <summary>Shape of a <see cref="RecurrentLanguageModel"/>: embedding → stacked RNN/LSTM/GRU → dropout → linear over the vocabulary.</summary>
internal sealed record LanguageModelArchitecture
{
    /// <summary>Number of token ids (rows of the embedding, outputs of the decoder), reserved ids included.</summary>
    public int VocabularySize { get; init; }

    public RecurrentCell Cell { get; init; } = RecurrentCell.Lstm;

    public int EmbeddingSize { get; init; } = 64;

    public int HiddenSize { get; init; } = 256;

    public int NumberOfLayers { get; init; } = 2;

    /// <summary>Dropout on the embeddings, between recurrent layers and before the decoder (training only).</summary>
    public double Dropout { get; init; }

    /// <summary>The decoder reuses the embedding matrix (needs <see cref="EmbeddingSize"/> == <see cref="HiddenSize"/>).</summary>
    public bool TieWeights { get; init; }

    /// <summary>Leading dimension of the carried state: 2 for an LSTM (hidden and cell), 1 otherwise.</summary>
    public int StateParts => Cell == RecurrentCell.Lstm ? 2 : 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid member.</summary>
    public void Validate()
    {
        OptionRange.Check(VocabularySize >= 2, nameof(VocabularySize), VocabularySize, "at least 2 (<pad> and <unk>)");
        OptionRange.Check(Enum.IsDefined(Cell), nameof(Cell), Cell, "Rnn, Lstm or Gru");
        OptionRange.Check(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "at least 1");
        OptionRange.Check(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "at least 1");
        OptionRange.Check(NumberOfLayers >= 1, nameof(NumberOfLayers), NumberOfLayers, "at least 1");
        OptionRange.Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "in [0, 1)");
        if (TieWeights && EmbeddingSize != HiddenSize)
            throw new ArgumentException($"TieWeights needs EmbeddingSize == HiddenSize (the decoder reuses the embedding matrix), but EmbeddingSize is {EmbeddingSize} and HiddenSize is {HiddenSize}.", nameof(TieWeights));
    }

    public void Write(BinaryWriter w)
    {
        w.Write(VocabularySize); w.Write((int)Cell); w.Write(EmbeddingSize); w.Write(HiddenSize);
        w.Write(NumberOfLayers); w.Write(Dropout); w.Write(TieWeights);
    }

    public static LanguageModelArchitecture Read(BinaryReader r)
    {
        var a = new LanguageModelArchitecture
        {
            VocabularySize = r.ReadInt32(), Cell = (RecurrentCell)r.ReadInt32(), EmbeddingSize = r.ReadInt32(), HiddenSize = r.ReadInt32(),
            NumberOfLayers = r.ReadInt32(), Dropout = r.ReadDouble(), TieWeights = r.ReadBoolean(),
        };
        try { a.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"Corrupt language model architecture in the model: {e.Message}", e); }
        return a;
    }
}
