using MLNet.Recurrent.Examples;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace RecurrentBasics;

/// <summary>The small helpers the notebook writes inline: full-batch training, bit strings, printing tensors.</summary>
internal static class Lessons
{
    /// <summary>
    /// Full-batch training with Adam and binary cross-entropy, as the notebook's toy loops do; returns the loss of every
    /// epoch. <paramref name="forward"/> gives the logits of the whole training set.
    /// </summary>
    public static double[] TrainFullBatch(string title, nn.Module model, Func<Tensor> forward, Tensor targets, int epochs, double learningRate)
    {
        var losses = new double[epochs];
        using var adam = new HeldScalarAdam(model.parameters(), learningRate);
        ConsoleTraining.Loop(title, epochs, epoch =>
        {
            using var scope = NewDisposeScope();
            adam.ZeroGrad();
            Tensor loss = nn.functional.binary_cross_entropy_with_logits(forward(), targets);
            loss.backward();
            adam.Step();
            return losses[epoch - 1] = loss.item<float>();
        });
        AnsiConsole.MarkupLine($"  {title}: loss {losses[0]:F4} → {losses[^1]:F4} after {epochs} epochs");
        return losses;
    }

    /// <summary>Random bit strings of <paramref name="minLength"/>..<paramref name="maxLength"/> bits and whether they hold an odd number of ones.</summary>
    public static (string Bits, bool Odd)[] BitStrings(int count, int minLength, int maxLength, Random random) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            string bits = new(Enumerable.Range(0, random.Next(minLength, maxLength + 1)).Select(_ => random.Next(2) == 1 ? '1' : '0').ToArray());
            return (bits, bits.Count(c => c == '1') % 2 == 1);
        }).ToArray();

    /// <summary>Bit strings as a padded float batch <c>[B, T]</c>, the mask of real positions, and 0/1 targets.</summary>
    public static (Tensor Bits, Tensor Mask, Tensor Odd) BitBatch(IReadOnlyList<(string Bits, bool Odd)> rows)
    {
        int width = rows.Max(r => r.Bits.Length);
        var bits = new float[rows.Count * width];
        var mask = new bool[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            for (int t = 0; t < rows[i].Bits.Length; t++)
            {
                bits[i * width + t] = rows[i].Bits[t] - '0';
                mask[i * width + t] = true;
            }
        }
        return (tensor(bits, [rows.Count, width]), tensor(mask, [rows.Count, width]), tensor(rows.Select(r => r.Odd ? 1f : 0f).ToArray()));
    }

    /// <summary>Prints a tensor under a caption.</summary>
    public static void Show(string caption, Tensor t) =>
        AnsiConsole.MarkupLine($"  {Markup.Escape(caption)} {Markup.Escape(t.ToString(TorchSharp.TensorStringStyle.Numpy).Replace("\n", "\n    "))}");
}
