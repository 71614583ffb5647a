using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// A <see cref="RecurrentEncoder"/> followed by dropout and a linear head: the network behind the binary,
/// multiclass and regression trainers. <c>forward(tokens [B, T], lengths [B])</c> returns <c>[B, outputs]</c>
/// raw scores (logits for classification, the prediction for regression).
/// </summary>
internal sealed class RecurrentSequenceModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly RecurrentEncoder encoder;
    private readonly double dropout;
    private readonly Linear head;
    private readonly NGramBag? ngrams;

    /// <summary>Creates the model; parameters are initialised from <paramref name="generator"/> when given.</summary>
    public RecurrentSequenceModel(RecurrentEncoderOptions encoderOptions, int outputs, Generator? generator = null) : base(nameof(RecurrentSequenceModel))
    {
        CheckSize(encoderOptions, outputs);
        encoder = new RecurrentEncoder(encoderOptions, generator);
        dropout = encoderOptions.Dropout;
        head = nn.Linear(encoderOptions.OutputSize, outputs);
        if (encoderOptions.NGramLength > 0)
            ngrams = new NGramBag(encoderOptions.VocabularySize, encoderOptions.NGramLength, encoderOptions.NGramBuckets, outputs, encoderOptions.NGramSquareRootScaling);
        Outputs = outputs;
        RegisterComponents();
        if (generator is not null)
        {
            using var noGrad = no_grad();
            double bound = 1.0 / Math.Sqrt(encoderOptions.OutputSize);
            head.weight!.uniform_(-bound, bound, generator);
            head.bias!.uniform_(-bound, bound, generator);
        }
    }

    /// <summary>
    /// The state-dict names and shapes of the model <paramref name="encoderOptions"/> and <paramref name="outputs"/> describe,
    /// without building it (saved weights are checked against them before the network is allocated).
    /// </summary>
    public static IEnumerable<(string Name, long[] Shape)> StateShapes(RecurrentEncoderOptions encoderOptions, int outputs)
    {
        var o = encoderOptions;
        yield return ("encoder.embedding.weight", new long[] { o.VocabularySize, o.EmbeddingSize });
        foreach (var tensor in RecurrentLayers.StateShapes("encoder.rnn.", o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumberOfLayers, o.Bidirectional ? 2 : 1))
            yield return tensor;
        if (o.LearnInitialState)
        {
            long states = (long)o.NumberOfLayers * (o.Bidirectional ? 2 : 1);
            yield return ("encoder.initial_hidden", new long[] { states, o.HiddenSize });
            if (o.Cell == RecurrentCell.Lstm)
                yield return ("encoder.initial_cell", new long[] { states, o.HiddenSize });
        }
        yield return ("head.weight", new long[] { outputs, o.OutputSize });
        yield return ("head.bias", new long[] { outputs });
        if (o.NGramLength > 0)
            yield return ("ngrams.weights.weight", new long[] { (long)o.VocabularySize + (o.NGramLength >= 2 ? o.NGramBuckets : 0), outputs });
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the member when the architecture is invalid or the network would be
    /// larger than <see cref="NetworkLimits"/> allow; nothing is allocated.
    /// </summary>
    public static void CheckSize(RecurrentEncoderOptions encoderOptions, int outputs)
    {
        ArgumentNullException.ThrowIfNull(encoderOptions);
        encoderOptions.Validate();
        if (outputs < 1)
            throw new ArgumentException($"outputs is {outputs}; it must be at least 1.", nameof(outputs));
        NetworkLimits.CheckSize(StateShapes(encoderOptions, outputs),
            "lower EmbeddingSize, HiddenSize or NumberOfLayers, or the vocabulary size (TokenizerOptions.MaximumVocabularySize)");
    }

    /// <summary>The encoder (embedding + recurrent layers + pooling).</summary>
    public RecurrentEncoder Encoder => encoder;

    /// <summary>Number of outputs of the head.</summary>
    public int Outputs { get; }

    /// <summary>The output layer.</summary>
    internal Linear Head => head;

    /// <summary>The bag of n-grams added to the outputs, or null (<see cref="RecurrentEncoderOptions.NGramLength"/> 0).</summary>
    internal NGramBag? NGrams => ngrams;

    /// <summary>Makes the outputs <c>scale · y + shift</c> by rewriting the output layer (folds target standardization into the model).</summary>
    internal void RescaleOutputs(double scale, double shift)
    {
        using var noGrad = no_grad();
        using Scalar factor = scale.ToScalar(), offset = shift.ToScalar();
        head.weight!.mul_(factor);
        head.bias!.mul_(factor).add_(offset, Scalars.One);
        ngrams?.parameters().First().mul_(factor);
    }

    /// <summary>
    /// Prediction of one row <c>[1, T]</c> of any length with bounded memory: the bag reads the row in windows
    /// (<see cref="NGramBag.ForwardInWindows"/>), the recurrent layers read their part of it
    /// (<see cref="RecurrentEncoderOptions.RecurrentLength"/>) in windows when it is longer than
    /// <see cref="RecurrentEncoder.StreamWindow"/> and the encoder is forward-only (<see cref="RecurrentEncoder.ForwardInWindows"/>),
    /// else whole (the caller bounds a bidirectional encoder's part by <see cref="RecurrentEncoder.MaximumWholeRow"/>).
    /// </summary>
    public Tensor ForwardInWindows(Tensor tokens)
    {
        Tensor read = RecurrentPart(tokens);
        long n = read.shape[1];
        Tensor encoded = n > RecurrentEncoder.StreamWindow && !encoder.Options.Bidirectional ? encoder.ForwardInWindows(read)
            : encoder.call(read, tensor(new long[] { n }, ScalarType.Int64));
        Tensor scores = head.call(encoded);
        return ngrams is null ? scores : scores.add(ngrams.ForwardInWindows(tokens, RecurrentEncoder.StreamWindow), Scalars.One);
    }

    /// <summary>How many tokens of a row of <paramref name="length"/> tokens the recurrent layers read (<see cref="RecurrentEncoderOptions.RecurrentLength"/>).</summary>
    public long RecurrentTokens(long length) => encoder.Options.RecurrentLength > 0 ? Math.Min(length, encoder.Options.RecurrentLength) : length;

    /// <summary>The first <see cref="RecurrentEncoderOptions.RecurrentLength"/> columns of <paramref name="tokens"/> <c>[B, T]</c> (all when 0 or T is shorter).</summary>
    private Tensor RecurrentPart(Tensor tokens)
    {
        long width = tokens.shape[1], read = RecurrentTokens(width);
        return read < width ? tokens.narrow(1, 0, read) : tokens;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        // Intermediate tensors are left to the caller's dispose scope (dropout returns its input in eval mode). The
        // recurrent layers read the first RecurrentLength tokens of each row, the bag the whole row.
        Tensor read = RecurrentPart(tokens), readLengths = lengths;
        if (read.shape[1] < tokens.shape[1])
        {
            using Scalar limit = read.shape[1].ToScalar();
            readLengths = lengths.clamp_max(limit);
        }
        Tensor scores = head.call(GeneratorDropout.Apply(encoder.call(read, readLengths), dropout, training));
        return ngrams is null ? scores : scores.add(ngrams.call(tokens, lengths), Scalars.One);
    }
}
