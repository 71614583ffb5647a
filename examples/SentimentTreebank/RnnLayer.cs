using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SentimentTreebank;

/// <summary>
/// The notebook's RNN layer: <c>h_t = φ_h(W_xh·x_t + W_hh·h_{t-1} + b_h)</c> and an output
/// <c>y_t = φ_y(W_hy·h_t + b_y)</c>; φ_h is tanh, φ_y a sigmoid (or none). One call is one time step.
/// </summary>
internal sealed class RnnLayer : nn.Module<Tensor, Tensor?, (Tensor Y, Tensor H)>
{
    private readonly Linear inputToHidden;
    private readonly Linear hiddenToHidden;
    private readonly Linear hiddenToOutput;
    private readonly bool sigmoidOutput;

    public RnnLayer(int inputSize, int hiddenSize, int outputSize, bool sigmoidOutput = true) : base(nameof(RnnLayer))
    {
        inputToHidden = nn.Linear(inputSize, hiddenSize, hasBias: false);
        hiddenToHidden = nn.Linear(hiddenSize, hiddenSize);
        hiddenToOutput = nn.Linear(hiddenSize, outputSize);
        this.sigmoidOutput = sigmoidOutput;
        RegisterComponents();
    }

    /// <summary>One step: input <c>[N, in]</c> and the previous state <c>[N, hidden]</c> (null: zeros) → (output, state).</summary>
    public override (Tensor Y, Tensor H) forward(Tensor x, Tensor? previous)
    {
        previous ??= zeros(x.shape[0], hiddenToHidden.in_features);
        Tensor h = tanh(inputToHidden.call(x) + hiddenToHidden.call(previous));
        Tensor y = hiddenToOutput.call(h);
        return (sigmoidOutput ? sigmoid(y) : y, h);
    }
}
