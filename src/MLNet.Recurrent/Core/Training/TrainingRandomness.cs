using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Every random draw of a training — parameter initialisation and dropout — comes from the training's own
/// <see cref="Generator"/>, seeded by the training's seed; shuffling uses a seeded <see cref="Random"/>. Nothing reads
/// libtorch's process-wide generator, so the same seed and data give a bit-identical model on the CPU however many
/// other trainings, scorings, model loads or garbage collections run in the process at the same time, and trainings
/// need no lock to run side by side. The generator is the calling thread's for the duration of <see cref="Run{T}"/>;
/// <see cref="GeneratorDropout"/> reads it there.
/// </summary>
internal static class TrainingRandomness
{
    [ThreadStatic]
    private static Generator? current;

    /// <summary>The generator of the training running on this thread, or null outside one.</summary>
    public static Generator? Current => current;

    /// <summary>Runs <paramref name="body"/> with a generator seeded with <paramref name="seed"/> as this thread's training generator.</summary>
    public static T Run<T>(int seed, Func<Generator, T> body)
    {
        using var generator = new Generator((ulong)seed);
        Generator? previous = current;
        current = generator;
        try
        {
            return body(generator);
        }
        finally
        {
            current = previous;
        }
    }
}
