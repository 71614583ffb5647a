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
        OptionRange.Check(VocabularySize >= 2 && VocabularySize <= NetworkLimits.MaximumVocabularySize, nameof(VocabularySize), VocabularySize, $"in 2..{NetworkLimits.MaximumVocabularySize:N0} (<pad>, <unk> and the tokens)");
        OptionRange.Check(Enum.IsDefined(Cell), nameof(Cell), Cell, "Rnn, Lstm or Gru");
        OptionRange.Check(EmbeddingSize >= 1 && EmbeddingSize <= NetworkLimits.MaximumEmbeddingSize, nameof(EmbeddingSize), EmbeddingSize, $"in 1..{NetworkLimits.MaximumEmbeddingSize:N0}");
        OptionRange.Check(HiddenSize >= 1 && HiddenSize <= NetworkLimits.MaximumHiddenSize, nameof(HiddenSize), HiddenSize, $"in 1..{NetworkLimits.MaximumHiddenSize:N0}");
        OptionRange.Check(NumberOfLayers >= 1 && NumberOfLayers <= NetworkLimits.MaximumLayers, nameof(NumberOfLayers), NumberOfLayers, $"in 1..{NetworkLimits.MaximumLayers}");
        OptionRange.Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "in [0, 1)");
        if (TieWeights && EmbeddingSize != HiddenSize)
            throw new ArgumentException($"TieWeights needs EmbeddingSize == HiddenSize (the decoder reuses the embedding matrix), but EmbeddingSize is {EmbeddingSize} and HiddenSize is {HiddenSize}.", nameof(TieWeights));
        NetworkLimits.CheckSize(StateShapes(), "lower EmbeddingSize, HiddenSize or NumberOfLayers, or the vocabulary size (TokenizerOptions.MaximumVocabularySize)");
    }

    /// <summary>
    /// The state-dict names and shapes of the <see cref="RecurrentLanguageModel"/> this architecture describes, without
    /// building it (saved weights are checked against them before the network is allocated).
    /// </summary>
    public IEnumerable<(string Name, long[] Shape)> StateShapes()
    {
        yield return ("embedding.weight", new long[] { VocabularySize, EmbeddingSize });
        foreach (var tensor in RecurrentLayers.StateShapes("rnn.", Cell, EmbeddingSize, HiddenSize, NumberOfLayers, 1))
            yield return tensor;
        if (TieWeights)
        {
            yield return ("decoderBias", new long[] { VocabularySize });
        }
        else
        {
            yield return ("decoder.weight", new long[] { VocabularySize, HiddenSize });
            yield return ("decoder.bias", new long[] { VocabularySize });
        }
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
        catch (ArgumentException e) { throw new InvalidDataException($"The saved language model's architecture is invalid: {e.Message}", e); }
        return a;
    }
}
