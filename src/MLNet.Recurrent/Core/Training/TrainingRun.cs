using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// One <c>Fit</c> of a recurrent estimator, the same skeleton for every estimator: the native runtime loaded, a
/// channel, the seed (<see cref="RecurrentTrainingOptions.SeedFor"/>), cancellation, then — after the estimator has read
/// and validated its data — <see cref="Train{TModel, TBatch}"/>: the device, the thread count, the training's own seeded
/// generator (<see cref="TrainingRandomness"/>), the model built and moved, the <see cref="TrainingLoop{TBatch}"/> over the estimator's
/// batch sources and objective, eval mode. The estimator then wraps the model in its transformer.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly IHost host;
    private readonly IHostEnvironment env;
    private readonly RecurrentTrainingOptions options;
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private TrainingRun(IHostEnvironment env, IHost host, RecurrentTrainingOptions options, string activity)
    {
        this.env = env;
        this.host = host;
        this.options = options;
        TorchRuntime.EnsureLoaded();
        Channel = host.Start(activity);
        Seed = options.SeedFor(env);
    }

    /// <summary>Starts a run: loads libtorch, opens the channel <paramref name="activity"/>, fixes the seed.</summary>
    public static TrainingRun Start(IHostEnvironment env, IHost host, RecurrentTrainingOptions options, string activity) => new(env, host, options, activity);

    /// <summary>The run's log.</summary>
    public IChannel Channel { get; }

    /// <summary>The seed of every random draw of the run (initialisation, shuffling, dropout, the validation split).</summary>
    public int Seed { get; }

    /// <summary>Throws when the options' token, the host or the environment (<c>MLContext.CancelExecution()</c>) cancels the run.</summary>
    public void CheckAlive()
    {
        options.CancellationToken.ThrowIfCancellationRequested();
        host.CheckAlive();
        env.CheckAlive();
    }

    /// <summary>The device <see cref="Train{TModel, TBatch}"/> trained on (the CPU before it runs).</summary>
    public Device Device { get; private set; } = CPU;

    /// <summary>Seconds since the run started.</summary>
    public double ElapsedSeconds => clock.Elapsed.TotalSeconds;

    /// <summary>
    /// Splits <paramref name="count"/> items into training and validation indices for <see cref="RecurrentTrainingOptions.ValidationFraction"/>:
    /// a seeded random draw of round(count × fraction) items (at least one, leaving at least one), each side in its original order.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fewer than 2 items.</exception>
    public (int[] Train, int[] Validation) SplitForValidation(int count, string what)
    {
        if (count < 2)
            throw new InvalidOperationException($"{nameof(RecurrentTrainingOptions.ValidationFraction)} is {options.EffectiveValidationFraction}, which needs at least 2 usable training {what}; there is {count}.");
        int validationCount = Math.Clamp((int)Math.Round(count * options.EffectiveValidationFraction), 1, count - 1);
        int[] order = Enumerable.Range(0, count).ToArray();
        new Random(Seed).Shuffle(order);
        int[] validation = order[..validationCount];
        int[] train = order[validationCount..];
        Array.Sort(validation);
        Array.Sort(train);
        Channel.Info($"Held out {validationCount} of {count} training {what} for validation ({nameof(RecurrentTrainingOptions.ValidationFraction)} {options.EffectiveValidationFraction}).");
        return (train, validation);
    }

    /// <summary>
    /// Builds the model (<paramref name="createModel"/>, with the run's seeded generator, which dropout then draws from:
    /// see <see cref="TrainingRandomness"/>), moves it to the device, trains it with the
    /// <see cref="TrainingLoop{TBatch}"/> over the sources and objective <paramref name="plan"/> makes, and returns it in
    /// eval mode. The model is disposed if anything fails.
    /// </summary>
    public (TModel Model, TrainingResult Result) Train<TModel, TBatch>(Func<Generator, TModel> createModel, Func<TModel, Device, TrainingPlan<TBatch>> plan)
        where TModel : nn.Module
        where TBatch : IDisposable
    {
        Device device = Device = TorchDevices.Resolve(options.Device, out string deviceMessage);
        Channel.Info(deviceMessage);
        var settings = options.TrainingSettings(CheckAlive, message => Channel.Info(message));
        var (model, result) = TrainingRandomness.Run(Seed, generator =>
        {
            int previousThreads = get_num_threads();
            if (options.NumberOfThreads is int threads)
            {
                set_num_threads(threads);
                Channel.Info($"Training with {threads} libtorch thread(s).");
            }
            TModel m = createModel(generator);
            try
            {
                if (device.type != DeviceType.CPU)
                    m.to(device);
                TrainingPlan<TBatch> p = plan(m, device);
                try
                {
                    TrainingResult r = new TrainingLoop<TBatch>(m, p.Train, p.Validation, p.Objective, settings with { LearningRateFactor = p.LearningRateFactor, Workers = device.type == DeviceType.CPU ? get_num_threads() : 1 }).Run();
                    m.eval();
                    return (m, r);
                }
                finally
                {
                    (p.Objective as IDisposable)?.Dispose();
                }
            }
            catch
            {
                m.Dispose();
                throw;
            }
            finally
            {
                if (options.NumberOfThreads is not null)
                    set_num_threads(previousThreads);
            }
        });
        Channel.Info($"Trained {result.EpochsRun} epoch(s) in {ElapsedSeconds:F1} s" +
            (result.BestValidationLoss is double best ? $"; best validation loss {best:F4} after epoch {result.BestEpoch}." : "."));
        return (model, result);
    }

    public void Dispose() => Channel.Dispose();
}
