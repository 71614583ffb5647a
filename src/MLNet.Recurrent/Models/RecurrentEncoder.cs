using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Embedding → stacked RNN/LSTM/GRU (optionally bidirectional) → pooling, over padded batches of token ids.
/// A plain TorchSharp module: <c>forward(tokens [B, T] int64, lengths [B] int64 on the CPU)</c> returns
/// <c>[B, OutputSize]</c>. Padded positions are never computed (packed sequences) nor pooled; a sequence of
/// length 0 yields the initial (zero) state.
/// </summary>
public sealed class RecurrentEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly nn.Module rnn;
    private readonly RecurrentEncoderOptions options;

    /// <summary>Creates the encoder; parameters are initialised from <paramref name="generator"/> when given (PyTorch's default distributions).</summary>
    public RecurrentEncoder(RecurrentEncoderOptions options, Generator? generator = null) : base(nameof(RecurrentEncoder))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        embedding = nn.Embedding(options.VocabularySize, options.EmbeddingSize, padding_idx: 0);
        double interLayerDropout = options.NumberOfLayers > 1 ? options.Dropout : 0;
        rnn = options.Cell switch
        {
            RecurrentCell.Lstm => nn.LSTM(options.EmbeddingSize, options.HiddenSize, options.NumberOfLayers, batchFirst: true, dropout: interLayerDropout, bidirectional: options.Bidirectional),
            RecurrentCell.Gru => nn.GRU(options.EmbeddingSize, options.HiddenSize, options.NumberOfLayers, batchFirst: true, dropout: interLayerDropout, bidirectional: options.Bidirectional),
            _ => nn.RNN(options.EmbeddingSize, options.HiddenSize, options.NumberOfLayers, nn.NonLinearities.Tanh, batchFirst: true, dropout: interLayerDropout, bidirectional: options.Bidirectional),
        };
        RegisterComponents();
        if (generator is not null)
            Initialize(generator);
    }

    /// <summary>The architecture.</summary>
    public RecurrentEncoderOptions Options => options;

    /// <summary>The token embedding (row 0, <c>&lt;pad&gt;</c>, stays zero).</summary>
    public Embedding Embedding => embedding;

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        long batch = tokens.shape[0];
        Tensor embedded = embedding.call(tokens);
        Tensor clamped = lengths.clamp_min(1);
        bool uniform = AllLengthsEqual(lengths, tokens.shape[1]);

        Tensor pooled;
        if (uniform)
        {
            // No padding in this batch (e.g. a single row): run unpacked, which is cheaper.
            (Tensor output, Tensor hidden) = RunPadded(embedded);
            pooled = Pool(output, hidden, null);
        }
        else
        {
            var packed = nn.utils.rnn.pack_padded_sequence(embedded, clamped, batch_first: true, enforce_sorted: false);
            (nn.utils.rnn.PackedSequence output, Tensor hidden) = RunPacked(packed);
            Tensor? padded = null;
            if (options.Pooling != SequencePooling.LastHidden)
                padded = nn.utils.rnn.pad_packed_sequence(output, batch_first: true).Item1;
            pooled = Pool(padded, hidden, clamped);
        }

        // Rows of length 0 were run on one <pad> step to keep packing valid: give them the initial state.
        Tensor nonEmpty = lengths.gt(0).to(pooled.dtype).to(pooled.device).unsqueeze(1);
        return (pooled * nonEmpty).MoveToOuterDisposeScope();
    }

    /// <summary>Whether every row is exactly <paramref name="width"/> long (no padding); reads CPU lengths directly, without kernel launches.</summary>
    private static bool AllLengthsEqual(Tensor lengths, long width)
    {
        if (lengths.device_type == DeviceType.CPU && lengths.dtype == ScalarType.Int64 && lengths.is_contiguous())
        {
            foreach (long length in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(lengths.bytes))
                if (length != width)
                    return false;
            return true;
        }
        return lengths.min().item<long>() == width && lengths.max().item<long>() == width;
    }

    private (Tensor Output, Tensor Hidden) RunPadded(Tensor x) => rnn switch
    {
        LSTM lstm => Drop3(lstm.call(x, null)),
        GRU gru => gru.call(x, null),
        RNN r => r.call(x, null),
        _ => throw new InvalidOperationException("Unknown recurrent layer."),
    };

    private (nn.utils.rnn.PackedSequence Output, Tensor Hidden) RunPacked(nn.utils.rnn.PackedSequence x)
    {
        switch (rnn)
        {
            case LSTM lstm:
                var (o, h, _) = lstm.call(x, null);
                return (o, h);
            case GRU gru:
                return gru.call(x, null);
            case RNN r:
                return r.call(x, null);
            default:
                throw new InvalidOperationException("Unknown recurrent layer.");
        }
    }

    private static (Tensor, Tensor) Drop3((Tensor Output, Tensor Hidden, Tensor Cell) t) => (t.Output, t.Hidden);

    private Tensor Pool(Tensor? output, Tensor hidden, Tensor? lengths)
    {
        int directions = options.Bidirectional ? 2 : 1;
        if (options.Pooling == SequencePooling.LastHidden)
        {
            // hidden: [layers * directions, B, H] → last layer's directions → [B, directions * H]
            Tensor last = hidden.view(options.NumberOfLayers, directions, hidden.shape[1], hidden.shape[2])[-1];
            return last.permute(1, 0, 2).reshape(hidden.shape[1], directions * hidden.shape[2]);
        }

        Tensor steps = output!; // [B, T, directions * H]
        if (lengths is null)
        {
            return options.Pooling == SequencePooling.Mean ? steps.mean(new long[] { 1 }) : steps.max(1).values;
        }
        Tensor positions = arange(steps.shape[1], device: steps.device).unsqueeze(0);
        Tensor mask = positions.lt(lengths.to(steps.device).unsqueeze(1)).unsqueeze(2); // [B, T, 1]
        if (options.Pooling == SequencePooling.Mean)
            return (steps * mask).sum(1) / lengths.to(steps.device).to(steps.dtype).unsqueeze(1);
        return steps.masked_fill(mask.logical_not(), double.NegativeInfinity).max(1).values;
    }

    private void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        nn.init.normal_(embedding.weight!, 0, 1, generator);
        embedding.weight![0].zero_();
        double bound = 1.0 / Math.Sqrt(options.HiddenSize);
        foreach (var (_, p) in rnn.named_parameters())
            nn.init.uniform_(p, -bound, bound, generator);
    }
}
