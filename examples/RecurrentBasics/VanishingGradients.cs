using ScottPlot;
using TorchSharp;
using static TorchSharp.torch;

namespace RecurrentBasics;

/// <summary>
/// The notebook's experiment: random one-number RNNs read 10 random inputs; the gradient of the final state with
/// respect to each input shows how much each time step can still be learned from. Plain RNNs (leaky ReLU) lose the
/// early steps; adding the state back (residual) keeps them; an LSTM keeps them as far as its forget gate stays open,
/// which a forget-gate bias of 1 helps from the start.
/// </summary>
internal static class VanishingGradients
{
    /// <summary>|∂ final state / ∂ input_t| for t = 0..steps-1, for one random model of the given kind.</summary>
    public static double[] InputGradients(string kind, int steps)
    {
        using var scope = NewDisposeScope();
        Tensor inputs = randn(steps, 1).requires_grad_(true);
        Tensor state;
        if (kind.StartsWith("LSTM", StringComparison.Ordinal))
        {
            using var lstm = nn.LSTMCell(1, 1);
            if (kind.Contains("forget", StringComparison.Ordinal))
            {
                // Keras's start (RecurrentInitialization.Keras in the library): forget-gate bias 1, so the cell keeps
                // most of itself from step to step at first. Gates are stacked i, f, g, o; with one unit f is element 1.
                using var noGrad = no_grad();
                lstm.bias_ih![1] = 1f;
                lstm.bias_hh![1] = 0f;
            }
            Tensor h = zeros(1, 1), c = zeros(1, 1);
            for (int t = 0; t < steps; t++)
                (h, c) = lstm.call(inputs[t].unsqueeze(0), (h, c));
            state = h;
        }
        else
        {
            // Weights and bias uniform in [-1, 1), as in the notebook.
            using var cell = new HandWrittenRnnCell(1, 1, x => nn.functional.leaky_relu(x), residual: kind == "residual RNN").Build();
            using (no_grad())
            {
                foreach (var p in cell.parameters())
                    p.uniform_(-1, 1);
            }
            state = zeros(1, 1);
            for (int t = 0; t < steps; t++)
                state = cell.call(state, inputs[t].unsqueeze(0));
        }
        state.sum().backward();
        return inputs.grad!.abs().squeeze(1).data<float>().ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>One row of bar charts per kind, <paramref name="models"/> random models each.</summary>
    public static IReadOnlyList<Plot> Plots(string[] kinds, int models, int steps)
    {
        var plots = new List<Plot>();
        foreach (string kind in kinds)
        {
            for (int m = 1; m <= models; m++)
            {
                Plot plot = MLNet.Recurrent.Examples.Plots.Bars($"{kind} #{m}", "time step", m == 1 ? "|gradient|" : "", InputGradients(kind, steps));
                plot.Axes.Title.Label.FontSize = 16;
                plot.Axes.Bottom.Label.FontSize = 14;
                plot.Axes.Left.Label.FontSize = 14;
                plots.Add(plot);
            }
        }
        return plots;
    }
}
