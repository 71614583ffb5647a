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
    private readonly double dropout;
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
        rnn = RecurrentLayers.Create(a.Cell, a.EmbeddingSize, a.HiddenSize, a.NumberOfLayers, between);
        dropout = a.Dropout;
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

    /// <summary>
    /// Whether training applies <see cref="LanguageModelArchitecture.Dropout"/> (after the embedding, between the layers,
    /// before the output layer); true by default. <see cref="LanguageModelObjective"/> turns it on only from
    /// <see cref="LanguageModelOptions.DropoutStartEpoch"/>.
    /// </summary>
    public bool DropoutActive
    {
        get => dropoutActive;
        set
        {
            dropoutActive = value;
            if (rnn is ForwardRecurrentStack stack)
                stack.DropoutActive = value;
        }
    }

    private bool dropoutActive = true;

    /// <inheritdoc />
    public override (Tensor Logits, Tensor State) forward(Tensor tokens, Tensor? state)
    {
        bool drop = training && dropoutActive;
        Tensor x = GeneratorDropout.Apply(embedding.call(tokens), dropout, drop);
        (Tensor output, Tensor next) = RecurrentLayers.RunWithState(rnn, x, state);
        output = GeneratorDropout.Apply(output, dropout, drop);
        Tensor logits = decoder is not null ? decoder.call(output) : nn.functional.linear(output, embedding.weight!, decoderBias);
        return (logits, next);
    }

    /// <summary>
    /// One step of inference (eval mode, no gradients) for generation: <paramref name="tokens"/> <c>[B]</c> → logits
    /// <c>[B, V]</c>, advancing the per-layer states <paramref name="hidden"/> (and <paramref name="cell"/> for an LSTM),
    /// each <c>[B, hidden]</c>, in place. Runs through single-step cells that share the recurrent layer's weights, which
    /// costs several times less per call than the fused layer on a length-1 sequence; same math as <see cref="forward"/>.
    /// The new states are detached from the caller's dispose scope and the old ones disposed; the logits stay in it.
    /// </summary>
    public Tensor Step(Tensor tokens, Tensor[] hidden, Tensor[]? cell)
    {
        nn.Module[] cells = StepCells();
        Tensor x = embedding.call(tokens);
        for (int k = 0; k < cells.Length; k++)
        {
            Tensor h;
            switch (cells[k])
            {
                case LSTMCell lstm:
                {
                    var (hn, cn) = lstm.call(x, (hidden[k], cell![k]));
                    cell[k].Dispose();
                    cell[k] = cn.DetachFromDisposeScope();
                    h = hn;
                    break;
                }
                case GRUCell gru:
                    h = gru.call(x, hidden[k]);
                    break;
                default:
                    h = ((RNNCell)cells[k]).call(x, hidden[k]);
                    break;
            }
            hidden[k].Dispose();
            hidden[k] = h.DetachFromDisposeScope();
            x = h;
        }
        return decoder is not null ? decoder.call(x) : nn.functional.linear(x, embedding.weight!, decoderBias);
    }

    private nn.Module[]? stepCells;
    private readonly object stepCellsGate = new();

    /// <summary>The step cells once generation has created them, else null (tests).</summary>
    internal IReadOnlyList<nn.Module>? CreatedStepCells => stepCells;

    /// <summary>
    /// Per-layer cells whose parameters are the recurrent layer's own tensors (created once, not registered as submodules,
    /// so they are not saved twice). They live as long as the model and are disposed with it (<see cref="Dispose(bool)"/>):
    /// TorchSharp releases a native module only on <c>Dispose</c>, never when it is collected, and a cell's native module
    /// holds references to the layer's weights, so a cell left to the collector kept them alive after the model was gone.
    /// </summary>
    private nn.Module[] StepCells()
    {
        if (stepCells is { } ready)
            return ready;
        lock (stepCellsGate)
        {
            if (stepCells is not null)
                return stepCells;
            var a = Architecture;
            var device = embedding.weight!.device;
            var parameters = rnn.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var cells = new nn.Module[a.NumberOfLayers];
            for (int k = 0; k < cells.Length; k++)
            {
                long input = k == 0 ? a.EmbeddingSize : a.HiddenSize;
                Parameter P(string name) => parameters.TryGetValue($"{name}_l{k}", out Parameter? p) ? p : throw new InvalidOperationException($"The recurrent layer has no parameter {name}_l{k}.");
                switch (a.Cell)
                {
                    case RecurrentCell.Lstm:
                        var lstm = nn.LSTMCell(input, a.HiddenSize, device: device);
                        (lstm.weight_ih, lstm.weight_hh, lstm.bias_ih, lstm.bias_hh) = (P("weight_ih"), P("weight_hh"), P("bias_ih"), P("bias_hh"));
                        cells[k] = lstm;
                        break;
                    case RecurrentCell.Gru:
                        var gru = nn.GRUCell(input, a.HiddenSize, device: device);
                        (gru.weight_ih, gru.weight_hh, gru.bias_ih, gru.bias_hh) = (P("weight_ih"), P("weight_hh"), P("bias_ih"), P("bias_hh"));
                        cells[k] = gru;
                        break;
                    default:
                        var rnnCell = nn.RNNCell(input, a.HiddenSize, nn.NonLinearities.Tanh, device: device);
                        (rnnCell.weight_ih, rnnCell.weight_hh, rnnCell.bias_ih, rnnCell.bias_hh) = (P("weight_ih"), P("weight_hh"), P("bias_ih"), P("bias_hh"));
                        cells[k] = rnnCell;
                        break;
                }
                cells[k].eval();
            }
            stepCells = cells;
            return cells;
        }
    }

    /// <summary>Frees the model's tensors, then the step cells' native modules (their parameters are the layers', already freed).</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
            return;
        nn.Module[]? cells;
        lock (stepCellsGate)
        {
            cells = stepCells;
            stepCells = null;
        }
        foreach (nn.Module cell in cells ?? [])
            cell.Dispose();
    }

    /// <summary>Re-initialises the recurrent layers as Keras does (<see cref="RecurrentInitialization.Keras"/>), drawing from <paramref name="generator"/>.</summary>
    public void InitializeKeras(Generator generator) => RecurrentLayers.InitializeKeras(rnn, Architecture.Cell, Architecture.HiddenSize, generator);

    /// <summary>
    /// Sets the output bias to the log of the tokens' add-one-smoothed training frequencies, so training starts from the
    /// unigram model instead of the uniform one (the recurrent part then only has to learn what the context adds).
    /// </summary>
    public void InitializeOutputBias(IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != Architecture.VocabularySize)
            throw new ArgumentException($"Expected {Architecture.VocabularySize} token counts, got {counts.Count}.", nameof(counts));
        double total = counts.Sum(c => (double)c) + counts.Count;
        float[] logPrior = counts.Select(c => (float)Math.Log((c + 1.0) / total)).ToArray();
        Tensor bias = decoder is not null ? decoder.bias! : decoderBias!;
        using var noGrad = no_grad();
        using Tensor values = tensor(logPrior, device: bias.device);
        bias.copy_(values);
    }

    private void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        // Untied, the embedding starts as nn.Embedding's N(0, 1): inputs of unit scale reach the gates from the first
        // batch (after 60 s of the harness's character model, 1.79-1.81 held-out bits/char against 1.88-1.94 with
        // U(-0.1, 0.1); PyTorch's script 1.79-1.83). Tied to the output layer it keeps U(-0.1, 0.1), so the first
        // logits stay near the unigram start that the output bias sets.
        if (Architecture.TieWeights)
            embedding.weight!.uniform_(-0.1, 0.1, generator);
        else
            embedding.weight!.normal_(0, 1, generator);
        double bound = 1.0 / Math.Sqrt(Architecture.HiddenSize);
        foreach (var (_, p) in rnn.named_parameters())
            p.uniform_(-bound, bound, generator);
        if (decoder is not null)
        {
            decoder.weight!.uniform_(-bound, bound, generator);
            decoder.bias!.zero_();
        }
        decoderBias?.zero_();
    }
}
