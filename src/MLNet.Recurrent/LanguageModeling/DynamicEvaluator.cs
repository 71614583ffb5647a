using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Dynamic evaluation (Krause et al., 2018) of one text: a private copy of the trained model reads the text as a single
/// stream in windows, scores each window with the weights it has so far, then takes one Adam step on that window's mean
/// cross-entropy (eval mode: no dropout) and carries the state on. The trained model is only read, to copy its weights.
/// </summary>
internal static class DynamicEvaluator
{
    /// <summary>
    /// Sum of ln p over every token of <paramref name="text"/> but its first, and their number, with the model adapting
    /// as it reads. <paramref name="checkAlive"/> runs before every window (cancellation through the ML.NET host).
    /// </summary>
    public static (double LogLikelihood, long Tokens) Score(RecurrentLanguageModel trained, Device device, int[] text,
        DynamicEvaluationOptions options, Action checkAlive)
    {
        if (text.Length < 2)
            return (0, 0);
        using var model = new RecurrentLanguageModel(trained.Architecture);
        model.to(device);
        model.eval();
        var parameters = model.named_parameters().ToArray();
        var source = trained.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var anchors = new Tensor[options.DecayRate > 0 ? parameters.Length : 0];
        Tensor? state = null;
        try
        {
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    var (name, parameter) = parameters[i];
                    parameter.copy_(source[name]);
                    if (anchors.Length > 0)
                        anchors[i] = source[name].detach().clone();
                }
            }

            using TrainingOptimizer optimizer = TrainingOptimizer.CreateAdam(parameters.Select(p => p.parameter), options.LearningRate, options.AdamBeta1, options.AdamBeta2);
            // The decay's weight as a tensor for lerp_, which moves each weight towards its anchor in place.
            using Tensor decay = tensor((float)options.DecayRate, device: device);
            long[] ids = Array.ConvertAll(text, id => (long)id);
            using Tensor all = tensor(ids, new long[] { 1, ids.Length }, ScalarType.Int64);
            double sum = 0;
            for (int start = 0; start < ids.Length - 1; start += options.SequenceLength)
            {
                checkAlive();
                using var scope = NewDisposeScope();
                int length = Math.Min(options.SequenceLength, ids.Length - 1 - start);
                Tensor window = all.narrow(1, start, length + 1).to(device);
                Tensor inputs = window.narrow(1, 0, length), targets = window.narrow(1, 1, length);
                var (logits, next) = model.call(inputs, state);
                Tensor logp = nn.functional.log_softmax(logits, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);
                sum += logp.detach().to(ScalarType.Float64).sum().item<double>();

                optimizer.ZeroGrad();
                logp.mean().neg().backward();
                optimizer.Step(clipNorm: 1);
                if (anchors.Length > 0)
                {
                    using var noGrad = no_grad();
                    for (int i = 0; i < parameters.Length; i++)
                        parameters[i].parameter.lerp_(anchors[i], decay);
                }
                state?.Dispose();
                state = next.detach().DetachFromDisposeScope();
            }
            return (sum, ids.Length - 1);
        }
        finally
        {
            state?.Dispose();
            foreach (Tensor? anchor in anchors)
                anchor?.Dispose();
        }
    }
}
