using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Log-likelihood of whole rows under a trained model (eval mode, no gradients): every row starts from the initial
/// state and every token after the first is predicted from its prefix. Rows are right-padded into one batch and read
/// in windows of <see cref="Window"/> positions with the state carried, so memory stays bounded for long rows.
/// </summary>
internal sealed class LanguageModelScorer
{
    /// <summary>Positions per forward call; bounds the logits tensor to <c>rows × Window × vocabulary</c>.</summary>
    internal const int Window = 256;

    private readonly RecurrentLanguageModel model;
    private readonly Device device;

    public LanguageModelScorer(RecurrentLanguageModel model, Device device)
    {
        this.model = model;
        this.device = device;
    }

    /// <summary>Turns a raw id vector into model input: drops <c>&lt;pad&gt;</c> (0), maps ids outside the vocabulary to <c>&lt;unk&gt;</c> (1).</summary>
    public static int[] Sanitize(ReadOnlySpan<int> ids, int vocabularySize)
    {
        var result = new int[ids.Length];
        int n = 0;
        foreach (int id in ids)
        {
            if (id != 0)
                result[n++] = (uint)id < (uint)vocabularySize ? id : 1;
        }
        return n == result.Length ? result : result[..n];
    }

    /// <summary>Sum of log p (natural log) over the predicted tokens of each row, and their number (length − 1, at least 0).</summary>
    public (double LogLikelihood, int Tokens)[] Score(IReadOnlyList<int[]> rows)
    {
        var result = new (double, int)[rows.Count];
        int width = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            width = Math.Max(width, rows[i].Length);
            result[i] = (0, Math.Max(0, rows[i].Length - 1));
        }
        if (width < 2)
            return result;

        long[] ids = new long[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            for (int t = 0; t < rows[i].Length; t++)
                ids[i * width + t] = rows[i][t];
        }

        Tensor? state = null;
        try
        {
            using var noGrad = no_grad();
            using var all = tensor(ids, new long[] { rows.Count, width }, ScalarType.Int64);
            for (int start = 0; start < width - 1; start += Window)
            {
                using var scope = NewDisposeScope();
                int length = Math.Min(Window, width - 1 - start);
                Tensor window = all.narrow(1, start, length + 1).to(device);
                Tensor inputs = window.narrow(1, 0, length), targets = window.narrow(1, 1, length);
                var (logits, next) = model.call(inputs, state);
                Tensor logp = nn.functional.log_softmax(logits, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1).to(ScalarType.Float64);
                Tensor sums = logp.masked_fill(targets.eq(Scalars.Zero), Scalars.Zero).sum(1).cpu();
                double[] values = sums.data<double>().ToArray();
                for (int i = 0; i < values.Length; i++)
                    result[i].Item1 += values[i];
                state?.Dispose();
                state = next.DetachFromDisposeScope();
            }
        }
        finally
        {
            state?.Dispose();
        }
        return result;
    }
}
