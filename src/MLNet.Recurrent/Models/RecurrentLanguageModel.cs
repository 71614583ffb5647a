using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Next-token model: embedding → dropout → stacked RNN/LSTM/GRU → dropout → linear over the vocabulary (optionally
/// reusing the embedding matrix). <c>forward(tokens [B, T] int64, state)</c> returns the logits <c>[B, T, V]</c> of the
/// token after each position and the state after the last position. The state is explicit so it can be carried
/// between windows (truncated BPTT) and between generation steps: <c>[parts, layers, B, hidden]</c> with parts = 2
/// for an LSTM (hidden, cell) and 1 otherwise; <see langword="null"/> means the initial (zero) state.
/// </summary>
internal sealed class RecurrentLanguageModel : nn.Module<Tensor, Tensor?, (Tensor Logits, Tensor State)>
{
    private readonly Embedding embedding;
    private readonly nn.Module rnn;
    private readonly Dropout dropout;
    private readonly Linear? decoder;
    private readonly Parameter? decoderBias;

    /// <summary>Creates the model; parameters are initialised from <paramref name="generator"/> when given.</summary>
    public RecurrentLanguageModel(LanguageModelArchitecture architecture, Generator? generator = null) : base(nameof(RecurrentLanguageModel))
    {
        ArgumentNullException.ThrowIfNull(architecture);
        architecture.Validate();
        Architecture = architecture;
        var a = architecture;
        embedding = nn.Embedding(a.VocabularySize, a.EmbeddingSize);
        double between = a.NumberOfLayers > 1 ? a.Dropout : 0;
        rnn = a.Cell switch
        {
            RecurrentCell.Lstm => nn.LSTM(a.EmbeddingSize, a.HiddenSize, a.NumberOfLayers, batchFirst: true, dropout: between),
            RecurrentCell.Gru => nn.GRU(a.EmbeddingSize, a.HiddenSize, a.NumberOfLayers, batchFirst: true, dropout: between),
            _ => nn.RNN(a.EmbeddingSize, a.HiddenSize, a.NumberOfLayers, nn.NonLinearities.Tanh, batchFirst: true, dropout: between),
        };
        dropout = nn.Dropout(a.Dropout);
        if (a.TieWeights)
            decoderBias = new Parameter(zeros(a.VocabularySize));
        else
            decoder = nn.Linear(a.HiddenSize, a.VocabularySize);
        RegisterComponents();
        if (generator is not null)
            Initialize(generator);
    }

    /// <summary>The architecture.</summary>
    public LanguageModelArchitecture Architecture { get; }

    /// <inheritdoc />
    public override (Tensor Logits, Tensor State) forward(Tensor tokens, Tensor? state)
    {
        Tensor x = dropout.call(embedding.call(tokens));
        Tensor output, next;
        switch (rnn)
        {
            case LSTM lstm:
            {
                var (o, h, c) = lstm.call(x, state is null ? null : (state[0], state[1]));
                output = o;
                next = stack(new[] { h, c });
                break;
            }
            case GRU gru:
            {
                var (o, h) = gru.call(x, state?[0]);
                output = o;
                next = h.unsqueeze(0);
                break;
            }
            case RNN r:
            {
                var (o, h) = r.call(x, state?[0]);
                output = o;
                next = h.unsqueeze(0);
                break;
            }
            default:
                throw new InvalidOperationException("Unknown recurrent layer.");
        }
        output = dropout.call(output);
        Tensor logits = decoder is not null ? decoder.call(output) : nn.functional.linear(output, embedding.weight!, decoderBias);
        return (logits, next);
    }

    private void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        nn.init.uniform_(embedding.weight!, -0.1, 0.1, generator);
        double bound = 1.0 / Math.Sqrt(Architecture.HiddenSize);
        foreach (var (_, p) in rnn.named_parameters())
            nn.init.uniform_(p, -bound, bound, generator);
        if (decoder is not null)
        {
            nn.init.uniform_(decoder.weight!, -bound, bound, generator);
            decoder.bias!.zero_();
        }
        decoderBias?.zero_();
    }
}
