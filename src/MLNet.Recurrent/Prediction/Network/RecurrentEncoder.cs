using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Embedding → stacked RNN/LSTM/GRU (optionally bidirectional) → pooling, over padded batches of token ids.
/// A plain TorchSharp module: <c>forward(tokens [B, T] int64, lengths [B] int64 on the CPU)</c> returns
/// <c>[B, OutputSize]</c>. Padding never influences a row's output and is never pooled: training runs on the padded,
/// length-bucketed batch (forward-only layers read padding only after a row's real tokens; bidirectional layers run the
/// reverse direction over each row reversed in place); prediction packs the batch (see <see cref="PaddedInference"/>).
/// A sequence of length 0 yields the initial (zero) state.
/// </summary>
internal sealed class RecurrentEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly nn.Module rnn;
    private readonly RecurrentEncoderOptions options;
    private readonly Lazy<bool> fusedInferenceExact;

    /// <summary>The learned initial hidden state of every layer and direction, <c>[layers × directions, H]</c> (<see cref="RecurrentEncoderOptions.LearnInitialState"/>).</summary>
    [TorchSharp.Utils.ComponentName(Name = "initial_hidden")]
    private readonly Parameter? initialHidden;

    /// <summary>An LSTM's learned initial cell state, like <see cref="initialHidden"/>.</summary>
    [TorchSharp.Utils.ComponentName(Name = "initial_cell")]
    private readonly Parameter? initialCell;

    /// <summary>Creates the encoder; parameters are initialised from <paramref name="generator"/> when given (PyTorch's default distributions).</summary>
    public RecurrentEncoder(RecurrentEncoderOptions options, Generator? generator = null) : base(nameof(RecurrentEncoder))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TorchRuntime.EnsureLoaded();
        this.options = options;
        // Sparse gradients: a training step updates only the embedding rows its batch used (lazy Adam, TrainingOptimizer),
        // so a step does not cost the whole vocabulary (accuracy suite, spam: 2.1x faster fit, same accuracy).
        embedding = nn.Embedding(options.VocabularySize, options.EmbeddingSize, padding_idx: 0, sparse: true);
        double interLayerDropout = options.NumberOfLayers > 1 ? options.Dropout : 0;
        rnn = options.Bidirectional
            ? new BidirectionalRecurrentStack(options.Cell, options.EmbeddingSize, options.HiddenSize, options.NumberOfLayers, interLayerDropout)
            : RecurrentLayers.Create(options.Cell, options.EmbeddingSize, options.HiddenSize, options.NumberOfLayers, interLayerDropout);
        if (options.LearnInitialState)
        {
            long states = options.NumberOfLayers * (options.Bidirectional ? 2 : 1);
            initialHidden = new Parameter(zeros(states, options.HiddenSize));
            if (options.Cell == RecurrentCell.Lstm)
                initialCell = new Parameter(zeros(states, options.HiddenSize));
        }
        RegisterComponents();
        PaddedInference = options.Cell == RecurrentCell.Lstm && !OneDnnRecurrentWorkaround.OneDnnDisabled;
        fusedInferenceExact = new Lazy<bool>(ProbeFusedInference, LazyThreadSafetyMode.ExecutionAndPublication);
        if (generator is not null)
            Initialize(generator);
    }

    /// <summary>The architecture.</summary>
    public RecurrentEncoderOptions Options => options;

    /// <summary>
    /// Probability that a token's whole embedding is zeroed in a training batch (the rest scaled by 1 / (1 − p), as Keras's
    /// <c>SpatialDropout1D</c>); set by the trainer, not saved (prediction never drops).
    /// </summary>
    internal double EmbeddingDropout { get; set; }

    /// <summary>The token embedding (row 0, <c>&lt;pad&gt;</c>, stays zero).</summary>
    public Embedding Embedding => embedding;

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        Tensor embedded = embedding.call(tokens);
        if (training && EmbeddingDropout > 0)
            embedded = embedded.mul(GeneratorDropout.Apply(ones(tokens.shape[0], tokens.shape[1], 1, device: embedded.device), EmbeddingDropout, training: true));
        Tensor clamped = lengths.clamp_min(Scalars.One);
        (bool uniform, bool anyEmpty) = Inspect(lengths, tokens.shape[1]);

        // libtorch runs an LSTM on unpacked CPU input through oneDNN; without autograd that uses oneDNN's inference
        // kernels, which on some CPUs return wrong outputs for some hidden sizes (measured: libtorch 2.10, AVX-512,
        // hidden 1-16, 33-48, 100 wrong; 17-32, 64, 128, 256 right). Unpacked runs are only used where verified.
        bool unpackedOk = is_grad_enabled() || options.Cell != RecurrentCell.Lstm || tokens.device_type != DeviceType.CPU || fusedInferenceExact.Value;
        (Tensor Hidden, Tensor? Cell)? initial = InitialState(tokens.shape[0]);

        Tensor pooled;
        if (rnn is BidirectionalRecurrentStack stack)
        {
            // One layer and direction at a time, the reverse direction over each row reversed in place: padded batches
            // give each row's own result, so training never takes the packed backward (see the stack's remarks).
            bool packed = !uniform && !(unpackedOk && (is_grad_enabled() || PaddedInference));
            (Tensor output, Tensor final) = stack.Run(embedded, uniform ? null : clamped, packed, initial);
            pooled = options.Pooling == SequencePooling.LastHidden ? final : Pool(output, final, uniform ? null : clamped);
        }
        else if (uniform && unpackedOk)
        {
            // No padding in this batch (e.g. a single row): run unpacked, which is cheaper.
            (Tensor output, Tensor hidden) = RunPadded(embedded, initial);
            pooled = Pool(output, hidden, null);
        }
        else if (unpackedOk && (is_grad_enabled() || PaddedInference))
        {
            // A forward-only network: a step's output never depends on later (padding) steps, so the padded batch gives
            // the packed result at each row's real positions (up to float rounding), through the fused kernel.
            // Prediction: faster for an LSTM. Training (every cell): libtorch's packed-sequence backward slices each time
            // step out of the packed input and zero-fills a gradient the size of the whole batch per step, O(steps ×
            // tokens), which made batches of long rows (thousands of tokens) take minutes; the padded backward does not,
            // and length bucketing keeps the padding small (docs/performance-notes.md, "Training never packs").
            (Tensor output, Tensor hidden) = RunPadded(embedded, initial);
            pooled = options.Pooling == SequencePooling.LastHidden ? LastRealStep(output, clamped) : Pool(output, hidden, clamped);
        }
        else
        {
            var packed = nn.utils.rnn.pack_padded_sequence(embedded, clamped, batch_first: true, enforce_sorted: false);
            (nn.utils.rnn.PackedSequence output, Tensor hidden) = RunPacked(packed, initial);
            Tensor? padded = null;
            if (options.Pooling != SequencePooling.LastHidden)
                padded = nn.utils.rnn.pad_packed_sequence(output, batch_first: true).Item1;
            pooled = Pool(padded, hidden, clamped);
        }

        if (anyEmpty)
        {
            // Rows of length 0 were run on one <pad> step to keep packing valid: give them the initial state (the last
            // layer's, for LastHidden pooling of a learned one; nothing to pool otherwise).
            Tensor empty = lengths.eq(Scalars.Zero).to(pooled.device).unsqueeze(1);
            Tensor start = initialHidden is not null && options.Pooling == SequencePooling.LastHidden
                ? LastLayer(initialHidden.unsqueeze(1)).expand_as(pooled)
                : zeros_like(pooled);
            pooled = where(empty, start, pooled);
        }
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>Prediction reads rows longer than this many tokens in windows of this size (forward-only encoders).</summary>
    internal const int StreamWindow = 4096;

    /// <summary>The longest row a bidirectional encoder reads at prediction (it reads a row whole).</summary>
    internal const int MaximumWholeRow = 1 << 16;

    /// <summary>
    /// Prediction (no autograd) of one row <paramref name="tokens"/> <c>[1, T]</c> of any length, in windows of
    /// <see cref="StreamWindow"/> steps with the recurrent state carried from window to window and the pooling accumulated,
    /// so memory does not grow with the row: the same result as <see cref="forward"/> up to float rounding. Forward-only
    /// encoders only (a bidirectional encoder's backward direction starts at the row's end).
    /// </summary>
    public Tensor ForwardInWindows(Tensor tokens)
    {
        if (options.Bidirectional)
            throw new InvalidOperationException("A bidirectional encoder reads a row whole.");
        long length = tokens.shape[1];
        Tensor? state = null, pooled = null;
        try
        {
            for (long start = 0; start < length; start += StreamWindow)
            {
                using var window = NewDisposeScope();
                Tensor x = embedding.call(tokens.narrow(1, start, Math.Min(StreamWindow, length - start)));
                (Tensor output, Tensor next) = RecurrentLayers.RunWithState(rnn, x, state);
                Tensor step = options.Pooling switch
                {
                    SequencePooling.Mean => pooled is null ? output.sum(1) : pooled.add(output.sum(1), Scalars.One),
                    SequencePooling.Max => pooled is null ? output.max(1).values : maximum(pooled, output.max(1).values),
                    _ => output.select(1, -1), // the last layer's output at the last step so far
                };
                state?.Dispose();
                pooled?.Dispose();
                state = next.DetachFromDisposeScope();
                pooled = step.DetachFromDisposeScope();
            }
            // The result joins the caller's dispose scope (the carried tensors were kept out of every scope).
            using Scalar count = length.ToScalar();
            return options.Pooling == SequencePooling.Mean ? pooled!.div(count) : pooled!.clone();
        }
        finally
        {
            state?.Dispose();
            pooled?.Dispose();
        }
    }

    /// <summary>
    /// Whether prediction batches (no autograd) with padding run the recurrent layers on the padded batch instead of a
    /// packed sequence. Off by default: with libtorch's oneDNN turned off (<see cref="OneDnnRecurrentWorkaround"/>, the
    /// normal case) both run the same native kernels, and packing skips the padded steps (Austen test paragraphs ≤ 160
    /// words, sorted into chunks of 64: ~1.2 padded steps per real token; packed scoring measured 1.1–1.2x faster,
    /// docs/performance-notes.md, "Prediction packs"). On for LSTMs only when oneDNN could not be turned off, where its fused padded kernel is faster
    /// (used only where verified, see <see cref="FusedInferenceIsExact"/>). Training always runs padded.
    /// </summary>
    internal bool PaddedInference { get; set; }

    /// <summary>
    /// Whether this LSTM's fused CPU inference kernel (unpacked input, no autograd) matches the packed computation on
    /// this machine; checked once, on a small fixed input, the first time it matters.
    /// </summary>
    internal bool FusedInferenceIsExact => fusedInferenceExact.Value;

    private bool ProbeFusedInference()
    {
        if (options.Cell != RecurrentCell.Lstm)
            return true;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = embedding.weight!.device;
        foreach ((long b, long t) in new[] { (1L, 3L), (4L, 6L) })
        {
            // Deterministic input (no random generator involved).
            using Scalar count = (b * t * options.EmbeddingSize).ToScalar(), step = 0.37.ToScalar(), length = t.ToScalar();
            Tensor x = arange(Scalars.Zero, count, Scalars.One, dtype: ScalarType.Float32, device: CPU).mul(step).sin().view(b, t, options.EmbeddingSize);
            if (device.type != DeviceType.CPU)
                x = x.to(device);
            Tensor fused, reference;
            if (rnn is BidirectionalRecurrentStack stack)
            {
                fused = stack.Run(x, null, packed: false).Output;
                reference = stack.Run(x, full(new long[] { b }, length, ScalarType.Int64), packed: true).Output;
            }
            else
            {
                fused = RunPadded(x).Output;
                var packed = nn.utils.rnn.pack_padded_sequence(x, full(new long[] { b }, length, ScalarType.Int64), batch_first: true, enforce_sorted: false);
                reference = nn.utils.rnn.pad_packed_sequence(RunPacked(packed).Output, batch_first: true).Item1;
            }
            if (!fused.allclose(reference, rtol: 1e-4, atol: 1e-5))
                return false;
        }
        return true;
    }

    /// <summary>The last layer's output at each row's last real step: [B, T, H] → [B, H].</summary>
    private static Tensor LastRealStep(Tensor output, Tensor clampedLengths)
    {
        Tensor index = clampedLengths.sub(Scalars.One).to(output.device).view(-1, 1, 1).expand(-1, 1, output.shape[2]);
        return output.gather(1, index).squeeze(1);
    }

    /// <summary>
    /// Whether every row is exactly <paramref name="width"/> long (no padding) and whether any row is empty; reads CPU
    /// lengths directly, without kernel launches.
    /// </summary>
    private static (bool Uniform, bool AnyEmpty) Inspect(Tensor lengths, long width)
    {
        if (lengths.device_type == DeviceType.CPU && lengths.dtype == ScalarType.Int64 && lengths.is_contiguous())
        {
            bool uniform = true, anyEmpty = false;
            foreach (long length in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(lengths.bytes))
            {
                uniform &= length == width;
                anyEmpty |= length == 0;
            }
            return (uniform, anyEmpty);
        }
        return (lengths.min().item<long>() == width && lengths.max().item<long>() == width, lengths.min().item<long>() == 0);
    }

    private (Tensor Output, Tensor Hidden) RunPadded(Tensor x, (Tensor Hidden, Tensor? Cell)? initial = null) => RecurrentLayers.Run(rnn, x, initial);

    private (nn.utils.rnn.PackedSequence Output, Tensor Hidden) RunPacked(nn.utils.rnn.PackedSequence x, (Tensor Hidden, Tensor? Cell)? initial = null) => RecurrentLayers.Run(rnn, x, initial);

    /// <summary>The learned initial states repeated for a batch of <paramref name="rows"/> (<c>[layers × directions, rows, H]</c>), or null (zeros).</summary>
    private (Tensor Hidden, Tensor? Cell)? InitialState(long rows) => initialHidden is null ? null
        : (initialHidden.unsqueeze(1).expand(-1, rows, -1).contiguous(), initialCell?.unsqueeze(1).expand(-1, rows, -1).contiguous());

    /// <summary>The last layer's directions of per-layer-and-direction states <c>[layers × directions, B, H]</c>, concatenated: <c>[B, directions × H]</c>.</summary>
    private Tensor LastLayer(Tensor hidden)
    {
        int directions = options.Bidirectional ? 2 : 1;
        Tensor last = hidden.view(options.NumberOfLayers, directions, hidden.shape[1], hidden.shape[2])[-1];
        return last.permute(1, 0, 2).reshape(hidden.shape[1], directions * hidden.shape[2]);
    }

    private Tensor Pool(Tensor? output, Tensor hidden, Tensor? lengths)
    {
        if (options.Pooling == SequencePooling.LastHidden)
        {
            // hidden: [layers * directions, B, H] → last layer's directions → [B, directions * H]
            return LastLayer(hidden);
        }

        Tensor steps = output!; // [B, T, directions * H]
        if (lengths is null)
        {
            return options.Pooling == SequencePooling.Mean ? steps.mean(new long[] { 1 }) : steps.max(1).values;
        }
        using Scalar width = steps.shape[1].ToScalar();
        Tensor positions = arange(Scalars.Zero, width, Scalars.One, device: steps.device).unsqueeze(0);
        Tensor mask = positions.lt(lengths.to(steps.device).unsqueeze(1)).unsqueeze(2); // [B, T, 1]
        if (options.Pooling == SequencePooling.Mean)
            return (steps * mask).sum(1) / lengths.to(steps.device).to(steps.dtype).unsqueeze(1);
        return steps.masked_fill(mask.logical_not(), Scalars.NegativeInfinity).max(1).values;
    }

    /// <summary>Re-initialises the recurrent layers, both directions, as Keras does (<see cref="RecurrentInitialization.Keras"/>), drawing from <paramref name="generator"/>.</summary>
    public void InitializeKeras(Generator generator) => RecurrentLayers.InitializeKeras(rnn, options.Cell, options.HiddenSize, generator);

    private void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        embedding.weight!.normal_(0, 1, generator);
        embedding.weight![0].zero_();
        double bound = 1.0 / Math.Sqrt(options.HiddenSize);
        foreach (var (_, p) in rnn.named_parameters())
            p.uniform_(-bound, bound, generator);
    }
}
