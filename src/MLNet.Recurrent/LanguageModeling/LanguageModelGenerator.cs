using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Autoregressive generation with the state carried: the prompt is run once (in windows), then one token per step is
/// fed with the state from the previous step, so the cost per generated token does not grow with the text.
/// Each step runs in its own dispose scope; only the current state lives across steps (and across yields).
/// </summary>
internal sealed class LanguageModelGenerator
{
    private readonly RecurrentLanguageModel model;
    private readonly Device device;
    private readonly float[] startLogits;

    /// <param name="model">The trained model (eval mode).</param>
    /// <param name="device">The model's device.</param>
    /// <param name="tokenCounts">Training-data frequency of every id: the distribution of the first token when there is no prompt at all.</param>
    public LanguageModelGenerator(RecurrentLanguageModel model, Device device, long[] tokenCounts)
    {
        this.model = model;
        this.device = device;
        startLogits = tokenCounts.Any(c => c > 0)
            ? tokenCounts.Select(c => c > 0 ? (float)Math.Log(c) : float.NegativeInfinity).ToArray()
            : new float[model.Architecture.VocabularySize];
    }

    /// <summary>Generates up to <paramref name="maxTokens"/> ids after <paramref name="prompt"/> (already valid ids); stops after <paramref name="endId"/>.</summary>
    public IEnumerable<int> Generate(int[] prompt, int maxTokens, GenerationOptions options, int? endId)
    {
        var sampler = new TokenSampler(options);
        using var session = new Session(this);
        float[] logits;
        int produced = 0;
        if (prompt.Length == 0)
        {
            int first = sampler.Next(startLogits);
            yield return first;
            if (first == endId || ++produced == maxTokens)
                yield break;
            logits = session.Feed(new[] { first });
        }
        else
        {
            logits = session.Feed(prompt);
        }
        while (true)
        {
            int id = sampler.Next(logits);
            yield return id;
            if (id == endId || ++produced == maxTokens)
                yield break;
            logits = session.Feed(new[] { id });
        }
    }

    /// <summary>
    /// Text pieces of <paramref name="ids"/> as they are generated, decoded through <paramref name="codec"/>; ends before
    /// <paramref name="stop"/> when the text comes to contain it (text that could be the start of it is held back until known).
    /// </summary>
    public static IEnumerable<string> Decode(IEnumerable<int> ids, ITokenCodec codec, string? stop)
    {
        var generated = new List<int>();
        var text = new StringBuilder();
        int emitted = 0;
        foreach (int id in ids)
        {
            generated.Add(id);
            text.Append(NewText(codec, generated, text));
            int safe = text.Length;
            if (stop is not null)
            {
                int from = Math.Max(0, emitted - stop.Length + 1);
                int at = text.ToString(from, text.Length - from).IndexOf(stop, StringComparison.Ordinal);
                if (at >= 0)
                {
                    if (from + at > emitted)
                        yield return text.ToString(emitted, from + at - emitted);
                    yield break;
                }
                safe -= HeldBack(text, stop);
            }
            if (safe > emitted)
            {
                yield return text.ToString(emitted, safe - emitted);
                emitted = safe;
            }
        }
        if (text.Length > emitted)
            yield return text.ToString(emitted, text.Length - emitted);
    }

    /// <summary>The text the last id adds: decoded with a few ids of left context (word separators, multi-token characters).</summary>
    private static string NewText(ITokenCodec codec, List<int> ids, StringBuilder soFar)
    {
        ReadOnlySpan<int> span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        int k = Math.Min(span.Length, 8);
        string with = codec.Decode(span[^k..]), without = codec.Decode(span[^k..^1]);
        if (with.StartsWith(without, StringComparison.Ordinal) && (k == span.Length || without.Length > 0))
            return with[without.Length..];
        string full = codec.Decode(span);
        return full.Length > soFar.Length ? full[soFar.Length..] : "";
    }

    /// <summary>Length of the longest proper suffix of <paramref name="text"/> that is a prefix of <paramref name="stop"/>.</summary>
    private static int HeldBack(StringBuilder text, string stop)
    {
        for (int n = Math.Min(stop.Length - 1, text.Length); n > 0; n--)
        {
            bool match = true;
            for (int i = 0; i < n && match; i++)
                match = text[text.Length - n + i] == stop[i];
            if (match)
                return n;
        }
        return 0;
    }

    /// <summary>The carried state of one generation.</summary>
    private sealed class Session : IDisposable
    {
        private readonly LanguageModelGenerator owner;
        private Tensor? state;

        public Session(LanguageModelGenerator owner) => this.owner = owner;

        /// <summary>Runs <paramref name="ids"/> from the current state; returns the logits for the token after the last one.</summary>
        public float[] Feed(int[] ids)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            Tensor? last = null;
            for (int start = 0; start < ids.Length; start += LanguageModelScorer.Window)
            {
                int length = Math.Min(LanguageModelScorer.Window, ids.Length - start);
                long[] chunk = new long[length];
                for (int i = 0; i < length; i++)
                    chunk[i] = ids[start + i];
                Tensor input = tensor(chunk, new long[] { 1, length }, ScalarType.Int64);
                if (owner.device.type != DeviceType.CPU)
                    input = input.to(owner.device);
                var (logits, next) = owner.model.call(input, state);
                state?.Dispose();
                state = next.DetachFromDisposeScope();
                last = logits[0, length - 1];
            }
            return last!.to(ScalarType.Float32).cpu().data<float>().ToArray();
        }

        public void Dispose()
        {
            state?.Dispose();
            state = null;
        }
    }
}
