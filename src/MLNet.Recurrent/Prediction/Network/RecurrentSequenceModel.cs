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
        if (outputs < 1)
            throw new ArgumentException($"outputs is {outputs}; it must be at least 1.", nameof(outputs));
        encoder = new RecurrentEncoder(encoderOptions, generator);
        dropout = encoderOptions.Dropout;
        head = nn.Linear(encoderOptions.OutputSize, outputs);
        if (encoderOptions.NGramLength > 0)
            ngrams = new NGramBag(encoderOptions.VocabularySize, encoderOptions.NGramLength, encoderOptions.NGramBuckets, outputs);
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

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        // Intermediate tensors are left to the caller's dispose scope (dropout returns its input in eval mode).
        Tensor scores = head.call(GeneratorDropout.Apply(encoder.call(tokens, lengths), dropout, training));
        return ngrams is null ? scores : scores.add(ngrams.call(tokens, lengths), Scalars.One);
    }
}
