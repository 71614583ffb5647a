using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Autoregressive generation with the state carried: the prompt is run once through the fused recurrent layers (in
/// windows), then one token per step is fed through single-step cells with the state from the previous step, so the
/// cost per generated token does not grow with the text.
/// Each step runs in its own dispose scope; only the current state lives across steps (and across yields).
/// </summary>
internal sealed class LanguageModelGenerator
{
    private readonly ModuleOwner<RecurrentLanguageModel> owner;
    private readonly LanguageModelArchitecture architecture;
    private readonly Device device;
    private readonly float[] startLogits;

    /// <summary>
    /// Weights one generated token multiplies (recurrent layers and output layer): small networks generate on one
    /// intra-op thread (<see cref="IntraOpThreads.ForSmallSteps"/>; a 2×256 LSTM generated 2,308 chars/s at 2 threads and
    /// 8,094 at 1).
    /// </summary>
    private readonly long stepWeights;

    /// <param name="owner">The trained model (eval mode); every step holds a lease on it, so a model disposed mid-generation ends the generation with <see cref="ObjectDisposedException"/>.</param>
    /// <param name="device">The model's device.</param>
    /// <param name="tokenCounts">Training-data frequency of every id: the distribution of the first token when there is no prompt at all.</param>
    public LanguageModelGenerator(ModuleOwner<RecurrentLanguageModel> owner, Device device, long[] tokenCounts)
    {
        this.owner = owner;
        this.device = device;
        var a = architecture = owner.Unguarded.Architecture;
        stepWeights = (long)a.VocabularySize * a.HiddenSize + RecurrentLayers.StepWeights(a.Cell, a.EmbeddingSize, a.HiddenSize, a.NumberOfLayers, 1);
        startLogits = tokenCounts.Any(c => c > 0)
            ? tokenCounts.Select(c => c > 0 ? (float)Math.Log(c) : float.NegativeInfinity).ToArray()
            : new float[a.VocabularySize];
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
            logits = session.Step(first);
        }
        else
        {
            logits = session.Prompt(prompt);
        }
        while (true)
        {
            int id = sampler.Next(logits);
            yield return id;
            if (id == endId || ++produced == maxTokens)
                yield break;
            logits = session.Step(id);
        }
    }

    /// <summary>
    /// Text pieces of <paramref name="ids"/> as they are generated, decoded through <paramref name="codec"/>; ends before
    /// <paramref name="stop"/> when the text comes to contain it (text that could be the start of it is held back until known).
    /// </summary>
    public static IEnumerable<string> Decode(IEnumerable<int> ids, TokenCodec codec, string? stop)
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
    private static string NewText(TokenCodec codec, List<int> ids, StringBuilder soFar)
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

    /// <summary>The carried state of one generation: per-layer hidden (and cell) states <c>[1, hidden]</c>.</summary>
    private sealed class Session : IDisposable
    {
        private readonly LanguageModelGenerator owner;
        private Tensor[]? hidden;
        private Tensor[]? cell;

        public Session(LanguageModelGenerator owner) => this.owner = owner;

        /// <summary>Runs the prompt through the fused layers (in windows); returns the logits for the token after it.</summary>
        public float[] Prompt(int[] ids)
        {
            using var use = owner.owner.Use();
            RecurrentLanguageModel model = use.Module;
            using var noGrad = no_grad();
            using var threads = IntraOpThreads.ForSmallSteps(owner.device, owner.stepWeights);
            using var scope = NewDisposeScope();
            Tensor? state = null;
            Tensor? last = null;
            for (int start = 0; start < ids.Length; start += LanguageModelScorer.Window)
            {
                int length = Math.Min(LanguageModelScorer.Window, ids.Length - start);
                long[] chunk = new long[length];
                for (int i = 0; i < length; i++)
                    chunk[i] = ids[start + i];
                var (logits, next) = model.call(ToDevice(tensor(chunk, new long[] { 1, length }, ScalarType.Int64)), state);
                state = next;
                last = logits[0, length - 1];
            }
            int layers = owner.architecture.NumberOfLayers;
            hidden = Enumerable.Range(0, layers).Select(k => state![0, k].DetachFromDisposeScope()).ToArray();
            if (owner.architecture.Cell == RecurrentCell.Lstm)
                cell = Enumerable.Range(0, layers).Select(k => state![1, k].DetachFromDisposeScope()).ToArray();
            return ToArray(last!);
        }

        /// <summary>Feeds one token with the carried state; returns the logits for the next one.</summary>
        public float[] Step(int id)
        {
            using var use = owner.owner.Use();
            using var noGrad = no_grad();
            using var threads = IntraOpThreads.ForSmallSteps(owner.device, owner.stepWeights);
            using var scope = NewDisposeScope();
            if (hidden is null)
            {
                var a = owner.architecture;
                hidden = Enumerable.Range(0, a.NumberOfLayers).Select(_ => ToDevice(zeros(1, a.HiddenSize)).DetachFromDisposeScope()).ToArray();
                if (a.Cell == RecurrentCell.Lstm)
                    cell = Enumerable.Range(0, a.NumberOfLayers).Select(_ => ToDevice(zeros(1, a.HiddenSize)).DetachFromDisposeScope()).ToArray();
            }
            Tensor logits = use.Module.Step(ToDevice(tensor(new long[] { id }, ScalarType.Int64)), hidden, cell);
            return ToArray(logits[0]);
        }

        private Tensor ToDevice(Tensor t) => owner.device.type == DeviceType.CPU ? t : t.to(owner.device);

        private static float[] ToArray(Tensor logits) =>
            (logits.device_type == DeviceType.CPU && logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32).cpu()).data<float>().ToArray();

        public void Dispose()
        {
            foreach (Tensor t in (hidden ?? Array.Empty<Tensor>()).Concat(cell ?? Array.Empty<Tensor>()))
                t.Dispose();
            hidden = cell = null;
        }
    }
}
