using System.Runtime.CompilerServices;
using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// A disposed model never reaches native code, and a model nobody disposes releases its native memory when collected
/// (docs/reliability.md). The first test is issue 19's crash: eight threads, each with a default prediction engine
/// (which owns the model and disposes it with the engine), so the first engine to finish disposes the model under the
/// other threads' forward passes. Before the fix that killed the process (SIGSEGV, or libtorch reading freed tensors) in
/// every one of 5 runs of 4 rounds; now every thread ends normally or with <see cref="ObjectDisposedException"/>.
/// </summary>
[TestClass]
public sealed class ModelLifetimeTests
{
    private static readonly Lazy<byte[]> SavedClassifier = new(() =>
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Synthetic.Order(64, 5));
        using var model = ml.BinaryClassification.Trainers.Recurrent(Synthetic.SmallOptions(epochs: 1)).Fit(train);
        var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        return stream.ToArray();
    });

    private static readonly Lazy<byte[]> SavedLanguageModel = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("abcd");
        IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating("abcd", 16, 24, seed: 3));
        var options = LanguageModelTestData.TinyOptions();
        options.NumberOfEpochs = 1;
        using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return stream.ToArray();
    });

    private static ITransformer Load(MLContext ml, byte[] zip) => ml.Model.Load(new MemoryStream(zip), out _);

    [TestMethod]
    public void EightThreadsWithDefaultEnginesThatDisposeTheSharedModelNeverCrash()
    {
        var ml = new MLContext(seed: 1);
        BinaryRow[] rows = Synthetic.Order(800, 9).ToArray();
        int disposedRounds = 0;
        for (int round = 0; round < 25; round++)
        {
            ITransformer model = Load(ml, SavedClassifier.Value);
            try
            {
                Parallel.For(0, 8, t =>
                {
                    using var engine = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(model); // default: owns (disposes) the model
                    for (int k = 0; k < (t + 1) * 100; k++)
                        engine.Predict(rows[k]);
                });
            }
            catch (AggregateException e)
            {
                foreach (Exception inner in e.InnerExceptions)
                    Assert.IsInstanceOfType<ObjectDisposedException>(inner, $"round {round}: {inner}");
                disposedRounds++;
            }
        }
        // The first engine disposes the model while the others still predict: most rounds end that way.
        Assert.IsGreaterThan(0, disposedRounds, "no round used a disposed model: the test no longer exercises the race");
    }

    [TestMethod]
    public void ALanguageModelDisposedWhileOtherThreadsScoreAndGenerateNeverCrashes()
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec("abcd");
        var rows = LanguageModelTestData.Repeating("abcd", 200, 30, seed: 4).Select(t => new TokenRow { Tokens = codec.Encode(t), Text = t }).ToArray();
        for (int round = 0; round < 10; round++)
        {
            var model = (LanguageModelTransformer)Load(ml, SavedLanguageModel.Value);
            var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
            Parallel.For(0, 6, t =>
            {
                try
                {
                    if (t == 0)
                    {
                        Thread.Sleep(2);
                        model.Dispose();
                    }
                    else if (t % 2 == 0)
                    {
                        for (int k = 0; k < 50; k++)
                            model.Generate("ab", 20, new GenerationOptions { Seed = k });
                    }
                    else
                    {
                        using var engine = ml.Model.CreatePredictionEngine<TokenRow, LanguageModelScore>(model, new PredictionEngineOptions { OwnsTransformer = false });
                        foreach (TokenRow row in rows)
                            engine.Predict(row);
                    }
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            });
            foreach (Exception e in failures)
                Assert.IsInstanceOfType<ObjectDisposedException>(e, $"round {round}: {e}");
            Assert.IsTrue(model.Owner.IsFreed, $"round {round}: the model is freed once every call has ended");
        }
    }

    [TestMethod]
    public void DisposeDuringACallDefersTheFreeUntilTheCallEndsAndLaterCallsThrowEveryTime()
    {
        var ml = new MLContext(seed: 1);
        var model = (RecurrentPredictionTransformer)Load(ml, SavedClassifier.Value);
        var engine = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(model);
        BinaryRow row = Synthetic.Order(1, 3)[0];
        float before = engine.Predict(row).Score;

        var lease = model.Use(); // a call in flight
        model.Dispose();
        Assert.IsTrue(model.Owner.IsDisposed);
        Assert.IsFalse(model.Owner.IsFreed, "the native model must outlive the call in flight");
        using (TorchSharp.torch.no_grad())
        {
            float during = lease.Module.call(TorchSharp.torch.tensor(row.Tokens.Select(i => (long)i).ToArray(), new long[] { 1, row.Tokens.Length }),
                TorchSharp.torch.tensor(new long[] { row.Tokens.Length })).item<float>();
            Assert.AreEqual(before, during, 1e-5f, "the call in flight still computes");
        }
        lease.Dispose();
        Assert.IsTrue(model.Owner.IsFreed, "freed when the last call ends");

        for (int i = 0; i < 3; i++)
        {
            var e = Assert.Throws<ObjectDisposedException>(() => engine.Predict(Synthetic.Order(1, 10 + i)[0]));
            StringAssert.Contains(e.Message, "OwnsTransformer = false");
        }
        Assert.Throws<ObjectDisposedException>(() => model.Transform(ml.Data.LoadFromEnumerable(Synthetic.Order(2, 1))));
        Assert.Throws<ObjectDisposedException>(() => ml.Model.Save(model, ml.Data.LoadFromEnumerable(Synthetic.Order(2, 1)).Schema, new MemoryStream()));
        model.Dispose(); // twice is fine
    }

    [TestMethod]
    public void ACursorOpenedBeforeDisposeThrowsObjectDisposedExceptionAtItsNextBlock()
    {
        var ml = new MLContext(seed: 1);
        var model = (RecurrentPredictionTransformer)Load(ml, SavedClassifier.Value);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(Synthetic.Order(300, 2)));
        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        float value = 0;
        Assert.IsTrue(cursor.MoveNext());
        score(ref value);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() =>
        {
            while (cursor.MoveNext())
                score(ref value);
        });
    }

    [TestMethod]
    [DataRow("classifier")]
    [DataRow("language model")]
    public void AModelThatIsNeverDisposedFreesItsNativeTensorsWhenCollected(string which)
    {
        var ml = new MLContext(seed: 1);
        List<TorchSharp.Modules.Parameter> parameters = LoadScoreAndDrop(ml, which == "classifier" ? SavedClassifier.Value : SavedLanguageModel.Value);
        CollectUntil(() => parameters.All(p => p.IsInvalid));
        Assert.IsTrue(parameters.All(p => p.IsInvalid), $"{which}: every parameter tensor of the dropped model is released");
    }

    [TestMethod]
    public void DisposingALanguageModelReleasesTheNativeModulesOfItsGenerationCells()
    {
        var ml = new MLContext(seed: 1);
        var model = (LanguageModelTransformer)Load(ml, SavedLanguageModel.Value);
        model.Generate("ab", 5, new GenerationOptions { Seed = 1 });
        IReadOnlyList<TorchSharp.torch.nn.Module> cells = model.Model.CreatedStepCells!;
        Assert.IsNotEmpty(cells);
        Assert.IsTrue(cells.All(c => !NativeHandle(c).IsInvalid));
        model.Dispose();
        // A cell's native module references the layer's weights; TorchSharp frees it only on Dispose, never when collected.
        Assert.IsTrue(cells.All(c => NativeHandle(c).IsInvalid), "the cells' native modules are released with the model");
    }

    private static System.Runtime.InteropServices.SafeHandle NativeHandle(TorchSharp.torch.nn.Module module) =>
        (System.Runtime.InteropServices.SafeHandle)typeof(TorchSharp.torch.nn.Module)
            .GetField("handle", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(module)!;

    /// <summary>Loads a model, uses it, and returns its parameters (not the model): the model itself becomes garbage.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<TorchSharp.Modules.Parameter> LoadScoreAndDrop(MLContext ml, byte[] zip)
    {
        ITransformer model = Load(ml, zip);
        TorchSharp.torch.nn.Module module = model switch
        {
            RecurrentPredictionTransformer p => p.Model,
            LanguageModelTransformer l => l.Model,
            _ => throw new AssertFailedException($"unexpected {model.GetType()}"),
        };
        if (model is RecurrentPredictionTransformer classifier)
            Synthetic.Floats(classifier.Transform(ml.Data.LoadFromEnumerable(Synthetic.Order(4, 1))), "Score");
        else
            ((LanguageModelTransformer)model).Generate("ab", 5, new GenerationOptions { Seed = 1 });
        var parameters = module.parameters().ToList();
        Assert.IsTrue(parameters.All(p => !p.IsInvalid));
        return parameters;
    }

    private static void CollectUntil(Func<bool> done)
    {
        for (int i = 0; i < 10 && !done(); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
