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

    /// <summary>
    /// Makes <paramref name="generator"/> the calling thread's training generator until disposed (then the previous one
    /// again): a data-parallel worker drawing its part's dropout from its own seeded generator.
    /// </summary>
    public static Scope Use(Generator? generator) => new(generator);

    /// <summary>The scope of <see cref="Use"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Generator? previous;

        internal Scope(Generator? generator)
        {
            previous = current;
            current = generator;
        }

        /// <inheritdoc />
        public void Dispose() => current = previous;
    }

    /// <summary>Runs <paramref name="body"/> with a generator seeded with <paramref name="seed"/> as this thread's training generator.</summary>
    public static T Run<T>(int seed, Func<Generator, T> body)
    {
        using var generator = new Generator((ulong)seed);
        using var scope = Use(generator);
        return body(generator);
    }
}
