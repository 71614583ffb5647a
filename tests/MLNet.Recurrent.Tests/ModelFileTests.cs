using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// A saved model is untrusted input (docs/reliability.md): architecture fields are bounded before anything is
/// allocated, the weights' headers must agree with the saved architecture before the network is built, every weights
/// entry is checksummed, non-finite weights are rejected, and damaged zips of every component get only the documented
/// exceptions — quickly and without large allocations.
/// </summary>
[TestClass]
public sealed class ModelFileTests
{
    /// <summary>Zips of tiny models of every component, saved once per test run.</summary>
    private static readonly Lazy<(byte[] Classifier, byte[] LanguageModel, RecurrentEncoderOptions Encoder, LanguageModelTransformer Lm)> Saved = new(() =>
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Synthetic.Order(48, 5));
        var options = Synthetic.SmallOptions(epochs: 1);
        options.Cell = RecurrentCell.Gru;
        options.Bidirectional = true;
        using var classifier = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);
        var stream = new MemoryStream();
        ml.Model.Save(classifier, train.Schema, stream);

        var codec = new TestCharCodec("abcd");
        IDataView text = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("abcd", 8, 12, seed: 3));
        var lmOptions = LanguageModelTestData.TinyOptions();
        lmOptions.NumberOfEpochs = 1;
        var lm = ml.Transforms.Text.TrainLanguageModel(lmOptions).Fit(text);
        var lmStream = new MemoryStream();
        ml.Model.Save(lm, text.Schema, lmStream);
        return (stream.ToArray(), lmStream.ToArray(), classifier.EncoderOptions, lm);
    });

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, false, 1)]
    [DataRow(RecurrentCell.Gru, true, 2)]
    [DataRow(RecurrentCell.Rnn, true, 3)]
    [DataRow(RecurrentCell.Lstm, false, 3)]
    public void TheWeightsAnArchitectureImpliesAreTheTensorsOfTheNetworkItBuilds(RecurrentCell cell, bool bidirectional, int layers)
    {
        var encoder = new RecurrentEncoderOptions { VocabularySize = 11, EmbeddingSize = 5, HiddenSize = 7, NumberOfLayers = layers, Bidirectional = bidirectional, Cell = cell, Dropout = 0.2 };
        using (var model = new RecurrentSequenceModel(encoder, 3))
            AssertSameTensors(RecurrentSequenceModel.StateShapes(encoder, 3), model, "classifier");
        foreach (bool tie in new[] { false, true })
        {
            var architecture = new LanguageModelArchitecture { VocabularySize = 11, Cell = cell, EmbeddingSize = 7, HiddenSize = 7, NumberOfLayers = layers, Dropout = 0.2, TieWeights = tie };
            using var lm = new RecurrentLanguageModel(architecture);
            AssertSameTensors(architecture.StateShapes(), lm, $"language model, tied {tie}");
        }
    }

    private static void AssertSameTensors(IEnumerable<(string Name, long[] Shape)> expected, torch.nn.Module module, string what)
    {
        var actual = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var implied = expected.ToDictionary(e => e.Name, e => e.Shape);
        CollectionAssert.AreEquivalent(actual.Keys.ToList(), implied.Keys.ToList(), $"{what}: tensor names");
        foreach (var (name, shape) in actual)
            CollectionAssert.AreEqual(shape, implied[name], $"{what}: shape of {name}");
    }

    [TestMethod]
    [DataRow(0, 100_000_000, "VocabularySize")]
    [DataRow(3, 100_000, "NumberOfLayers")]
    [DataRow(2, 1_000_000, "HiddenSize")]
    [DataRow(1, 5_000_000, "EmbeddingSize")]
    [DataRow(0, 16_000_000, "encoder.embedding.weight")] // within the bounds: the weights' header disagrees, before the network is built
    [DataRow(2, 4_096, "weight_ih")]
    public void ACraftedClassifierArchitectureIsRejectedBeforeAnythingIsAllocated(int field, int value, string named)
    {
        var (zip, _, encoder, _) = Saved.Value;
        byte[] crafted = WithField(zip, ArchitecturePattern(encoder.VocabularySize, encoder.EmbeddingSize, encoder.HiddenSize, encoder.NumberOfLayers), field, value);
        AssertRejected(crafted, $"field {field} = {value}", "Recurrent prediction transformer", named);
    }

    [TestMethod]
    [DataRow(2, 5_000_000, "EmbeddingSize")]
    [DataRow(0, 100_000_000, "VocabularySize")]
    [DataRow(0, 1_000_000, "embedding.weight")]
    [DataRow(4, 100_000, "NumberOfLayers")]
    [DataRow(3, 1_000_000, "HiddenSize")]
    public void ACraftedLanguageModelArchitectureIsRejectedBeforeAnythingIsAllocated(int field, int value, string named)
    {
        var (_, zip, _, lm) = Saved.Value;
        byte[] crafted = WithField(zip, ArchitecturePattern(lm.VocabularySize, (int)lm.Cell, lm.EmbeddingSize, lm.HiddenSize, lm.NumberOfLayers), field, value);
        AssertRejected(crafted, $"field {field} = {value}", "language model", named);
    }

    [TestMethod]
    public void AFlippedBitInTheLanguageModelsWeightsIsRejectedByItsChecksum()
    {
        var (_, zip, _, _) = Saved.Value;
        byte[] flipped = RewriteEntry(zip, "Weights.bin", bytes => { bytes[bytes.Length / 2] ^= 0x10; return bytes; });
        AssertRejected(flipped, "flipped bit", "language model", "checksum");
    }

    [TestMethod]
    public void NonFiniteWeightsAreRejectedAtLoadNamingTheComponentAndTheTensor()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Synthetic.Order(32, 5));
        using var classifier = ml.BinaryClassification.Trainers.Recurrent(Synthetic.SmallOptions(epochs: 1)).Fit(train);
        using (torch.no_grad())
        using (Scalar nan = float.NaN.ToScalar()) // held (see ConcurrencyTests)
            classifier.Model.Head.weight![0, 1].fill_(nan);
        var stream = new MemoryStream();
        ml.Model.Save(classifier, train.Schema, stream);
        AssertRejected(stream.ToArray(), "NaN weight", "Recurrent prediction transformer", "head.weight", "NaN");

        var codec = new TestCharCodec("abcd");
        IDataView text = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("abcd", 8, 12, seed: 3));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 1;
        using var lm = ml.Transforms.Text.TrainLanguageModel(options).Fit(text);
        using (torch.no_grad())
        using (Scalar infinity = float.PositiveInfinity.ToScalar())
            lm.Model.named_parameters().First(p => p.name.StartsWith("rnn.weight_hh")).parameter[0, 0].fill_(infinity);
        var lmStream = new MemoryStream();
        ml.Model.Save(lm, text.Schema, lmStream);
        AssertRejected(lmStream.ToArray(), "infinite weight", "language model", "rnn.weight_hh_l0", "Infinity");
    }

    /// <summary>
    /// Random damage to the zips of every component: bytes of one of its entries changed, an entry truncated, a 32-bit
    /// field set to an extreme value, or the zip itself truncated. Every load either succeeds (and the model then
    /// scores) or throws the documented exceptions, within a time bound and without large allocations. Only the
    /// library's own entries are damaged: what ML.NET makes of damage to its own parts of a zip (the pipeline's header,
    /// the schema) is ML.NET's behaviour.
    /// </summary>
    [TestMethod]
    public void DamagedZipsOfEveryComponentGetOnlyDocumentedExceptionsQuicklyAndWithoutLargeAllocations()
    {
        var (classifier, languageModel, _, _) = Saved.Value;
        var zips = new (string Component, byte[] Zip, Action<ITransformer> Use)[]
        {
            ("TokenizeToIds + PadSequences", File.ReadAllBytes(GoldenPath("tokenize-pad-v1")), m => m.Transform(TestData.Texts(new MLContext(), "the cat sat", "")).Preview()),
            ("binary classifier", classifier, m => Synthetic.Floats(m.Transform(new MLContext().Data.LoadFromEnumerable(Synthetic.Order(3, 1))), "Score")),
            ("language model", languageModel, m => ((LanguageModelTransformer)m).Generate(new[] { 2, 3 }, 3, new GenerationOptions { Seed = 1 })),
            ("language model 0x00010001", File.ReadAllBytes(GoldenPath("language-model-char-lstm-v1")), m => m.Transform(TestData.Texts(new MLContext(), "abc")).Preview()),
        };
        var rng = new Random(19);
        int loaded = 0, rejected = 0;
        var seen = new SortedSet<string>();
        foreach (var (component, zip, use) in zips)
        {
            Entry[] entries = ReadEntries(zip);
            int[] ours = OwnEntries(entries);
            for (int trial = 0; trial < 80; trial++)
            {
                string what;
                byte[] damaged;
                int kind = trial % 4;
                if (kind == 3)
                {
                    int length = rng.Next(zip.Length);
                    damaged = zip[..length];
                    what = $"zip truncated to {length}";
                }
                else
                {
                    int e = ours[rng.Next(ours.Length)];
                    byte[] bytes = (byte[])entries[e].Bytes.Clone();
                    // In a Model.key, only the component's own block: ML.NET's header, string table and loader assembly name around it are ML.NET's.
                    var (from, to) = OwnBlock(entries[e]);
                    if (kind == 0 && to > from)
                    {
                        int at = rng.Next(from, to);
                        bytes[at] ^= (byte)(1 + rng.Next(255));
                        what = $"{entries[e].Name} byte {at}";
                    }
                    else if (kind == 1)
                    {
                        int length = rng.Next(from, Math.Max(from + 1, to));
                        bytes = bytes[..length];
                        what = $"{entries[e].Name} truncated to {length}";
                    }
                    else if (to - from >= 4)
                    {
                        int[] extremes = [0, -1, 1, int.MaxValue, int.MinValue, 1 << 24, 100_000, 1_000_000_000];
                        int at = rng.Next(from, to - 3);
                        int value = extremes[rng.Next(extremes.Length)];
                        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);
                        what = $"{entries[e].Name} int at {at} = {value}";
                    }
                    else
                    {
                        what = $"{entries[e].Name} unchanged";
                    }
                    damaged = WriteEntries(entries.Select((x, i) => i == e ? x with { Bytes = bytes } : x));
                }

                GC.Collect();
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                ITransformer? model = null;
                Exception? error = null;
                try
                {
                    model = new MLContext().Model.Load(new MemoryStream(damaged), out _);
                }
                catch (Exception e)
                {
                    error = e;
                }
                clock.Stop();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                string context = $"{component}, {what}";
                Assert.IsLessThan(10.0, clock.Elapsed.TotalSeconds, $"{context}: loading took {clock.Elapsed.TotalSeconds:F1} s");
                Assert.IsLessThan(64L << 20, allocated, $"{context}: loading allocated {allocated >> 20} MB");
                if (error is null)
                {
                    loaded++;
                    try
                    {
                        use(model!);
                    }
                    catch (Exception e) when (Documented(e))
                    {
                        // Damage the loader cannot see (e.g. in a tokenizer's data) may surface when the model is used, as a documented exception.
                    }
                    finally
                    {
                        (model as IDisposable)?.Dispose();
                    }
                }
                else
                {
                    rejected++;
                    Assert.IsTrue(Documented(error), $"{context}: {error}");
                    seen.Add(Innermost(error).GetType().Name);
                }
            }
        }
        Console.WriteLine($"{loaded} loaded, {rejected} rejected: {string.Join(", ", seen)}");
        Assert.IsGreaterThan(200, rejected, $"most damage is detected ({loaded} loaded, {rejected} rejected; {string.Join(", ", seen)})");
    }

    /// <summary>
    /// InvalidDataException or FormatException, possibly wrapped by ML.NET's reflection-based loader: a
    /// <see cref="TargetInvocationException"/>, and for ML.NET's own (marked) header errors inside a pipeline also an
    /// <see cref="InvalidOperationException"/> "Error during class instantiation".
    /// </summary>
    private static bool Documented(Exception e) => Innermost(e) is InvalidDataException or FormatException;

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner && (e is TargetInvocationException || e is InvalidOperationException && e.Message.StartsWith("Error during class instantiation", StringComparison.Ordinal)))
            e = inner;
        return e;
    }

    private static void AssertRejected(byte[] zip, string what, params string[] fragments)
    {
        GC.Collect();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var thrown = Assert.Throws<Exception>(() => new MLContext().Model.Load(new MemoryStream(zip), out _), what);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Exception e = Innermost(thrown);
        Assert.IsInstanceOfType<InvalidDataException>(e, $"{what}: {thrown}");
        foreach (string fragment in fragments)
            StringAssert.Contains(e.Message, fragment, $"{what}: {e.Message}");
        Assert.IsLessThan(5.0, clock.Elapsed.TotalSeconds, $"{what}: rejecting took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.IsLessThan(32L << 20, allocated, $"{what}: rejecting allocated {allocated >> 20} MB");
    }

    private static byte[] ArchitecturePattern(params int[] values)
    {
        byte[] pattern = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(pattern.AsSpan(4 * i), values[i]);
        return pattern;
    }

    /// <summary>The zip with the <paramref name="field"/>-th int of <paramref name="pattern"/> (found in the model's settings) set to <paramref name="value"/>.</summary>
    private static byte[] WithField(byte[] zip, byte[] pattern, int field, int value)
    {
        bool found = false;
        byte[] result = WriteEntries(ReadEntries(zip).Select(e =>
        {
            int at = e.Name.EndsWith("Model.key", StringComparison.Ordinal) ? e.Bytes.AsSpan().IndexOf(pattern) : -1;
            if (at < 0)
                return e;
            found = true;
            byte[] bytes = (byte[])e.Bytes.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 4 * field), value);
            return e with { Bytes = bytes };
        }).ToList());
        Assert.IsTrue(found, "the architecture was not found in the model's settings");
        return result;
    }

    private static byte[] RewriteEntry(byte[] zip, string nameEnd, Func<byte[], byte[]> change) =>
        WriteEntries(ReadEntries(zip).Select(e => e.Name.EndsWith(nameEnd, StringComparison.Ordinal) ? e with { Bytes = change((byte[])e.Bytes.Clone()) } : e).ToList());

    private sealed record Entry(string Name, byte[] Bytes);

    /// <summary>The byte range the component itself writes: in a Model.key the model block ML.NET's header points at, else the whole entry.</summary>
    private static (int From, int To) OwnBlock(Entry entry)
    {
        if (!entry.Name.EndsWith("Model.key", StringComparison.Ordinal))
            return (0, entry.Bytes.Length);
        long fpModel = BinaryPrimitives.ReadInt64LittleEndian(entry.Bytes.AsSpan(0x10));
        long cbModel = BinaryPrimitives.ReadInt64LittleEndian(entry.Bytes.AsSpan(0x18));
        return ((int)fpModel, (int)(fpModel + cbModel));
    }

    /// <summary>The entries of the library's components: every entry in a folder whose Model.key names one of its loaders.</summary>
    private static int[] OwnEntries(Entry[] entries)
    {
        byte[][] signatures = [System.Text.Encoding.ASCII.GetBytes("MLNetRec"), System.Text.Encoding.ASCII.GetBytes("RecurrentPred")];
        var folders = entries
            .Where(e => e.Name.EndsWith("Model.key", StringComparison.Ordinal) && signatures.Any(s => e.Bytes.AsSpan(0, Math.Min(e.Bytes.Length, 512)).IndexOf(s) >= 0))
            .Select(e => e.Name[..^"Model.key".Length])
            .ToHashSet();
        int[] ours = Enumerable.Range(0, entries.Length)
            .Where(i => folders.Contains(entries[i].Name[..(entries[i].Name.LastIndexOf('/') + 1)]))
            .ToArray();
        Assert.IsNotEmpty(ours, "no entry of the library's components found");
        return ours;
    }

    private static Entry[] ReadEntries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.Select(e =>
        {
            using var s = e.Open();
            var m = new MemoryStream();
            s.CopyTo(m);
            return new Entry(e.FullName, m.ToArray());
        }).ToArray();
    }

    private static byte[] WriteEntries(IEnumerable<Entry> entries)
    {
        var result = new MemoryStream();
        using (var archive = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                using var s = archive.CreateEntry(e.Name).Open();
                s.Write(e.Bytes);
            }
        }
        return result.ToArray();
    }

    private static string GoldenPath(string name) => Path.Combine(AppContext.BaseDirectory, "golden", name + ".zip");
}
