using Microsoft.ML;
using Mono.Cecil;
using Mono.Cecil.Cil;
using TorchSharp;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// Several trainings, scorings and garbage collections in one process never corrupt one another: a model trained beside
/// other work is bit-identical to one trained alone. The fault this guards against: TorchSharp's implicit
/// <see cref="Scalar"/> conversions can be finalized by another thread's garbage collection while libtorch still reads
/// them (see <c>Scalars</c> in the library), which failed an Adam step in about one of two parallel test runs.
/// </summary>
[TestClass]
public sealed class ConcurrencyTests
{
    /// <summary>A thread that forces garbage collections (and finalizers) until disposed: what a busy process does to a training.</summary>
    private sealed class GarbageCollections : IDisposable
    {
        private readonly Thread thread;
        private volatile bool stop;

        public GarbageCollections()
        {
            thread = new Thread(() =>
            {
                while (!stop)
                {
                    _ = new byte[1 << 16];
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
            }) { IsBackground = true };
            thread.Start();
        }

        public void Dispose()
        {
            stop = true;
            thread.Join();
        }
    }

    private static float[] TrainAndScore(RecurrentTask task, int seed, OptimizerKind optimizer = OptimizerKind.Adam)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(96, seed));
        var options = Synthetic.SmallOptions(epochs: 3);
        options.Seed = seed;
        options.Dropout = 0.2;
        options.Optimizer = optimizer;
        options.WeightDecay = 1e-4;
        options.LearningRate = optimizer == OptimizerKind.Sgd ? 0.1 : options.LearningRate;
        options.Bidirectional = seed % 2 == 0;
        options.Pooling = seed % 2 == 0 ? SequencePooling.Max : SequencePooling.Mean;
        ITransformer model = task == RecurrentTask.BinaryClassification
            ? ml.BinaryClassification.Trainers.Recurrent(options).Fit(train)
            : ml.Regression.Trainers.Recurrent(Regression(options)).Fit(ml.Data.LoadFromEnumerable(Synthetic.CountAfter(96, seed)));
        using var _ = (IDisposable)model;
        IDataView test = task == RecurrentTask.BinaryClassification
            ? ml.Data.LoadFromEnumerable(Synthetic.Order(64, seed + 100))
            : ml.Data.LoadFromEnumerable(Synthetic.CountAfter(64, seed + 100));
        return Synthetic.Floats(model.Transform(test), "Score");
    }

    private static RecurrentTrainerOptions Regression(RecurrentTrainerOptions options)
    {
        options.Bidirectional = false;
        return options;
    }

    [TestMethod]
    [DataRow(OptimizerKind.Adam)]
    [DataRow(OptimizerKind.AdamW)]
    [DataRow(OptimizerKind.Sgd)]
    public void TrainingWhileAnotherThreadCollectsGarbageGivesTheModelTrainedAlone(OptimizerKind optimizer)
    {
        float[] alone = TrainAndScore(RecurrentTask.BinaryClassification, 4, optimizer);
        float[] disturbed;
        using (new GarbageCollections())
            disturbed = TrainAndScore(RecurrentTask.BinaryClassification, 4, optimizer);
        Synthetic.AssertBitIdentical(alone, disturbed, $"{optimizer}, trained while another thread collected garbage");
    }

    [TestMethod]
    public void TwoModelsTrainedOnTwoThreadsAtOnceEqualTheModelsTrainedOneAfterTheOther()
    {
        float[] first = TrainAndScore(RecurrentTask.BinaryClassification, 6);
        float[] second = TrainAndScore(RecurrentTask.Regression, 7);
        float[]? concurrentFirst = null, concurrentSecond = null;
        for (int round = 0; round < 3; round++)
        {
            using (new GarbageCollections())
            {
                Parallel.Invoke(
                    () => concurrentFirst = TrainAndScore(RecurrentTask.BinaryClassification, 6),
                    () => concurrentSecond = TrainAndScore(RecurrentTask.Regression, 7));
            }
            Synthetic.AssertBitIdentical(first, concurrentFirst!, $"round {round}: the binary model trained beside another");
            Synthetic.AssertBitIdentical(second, concurrentSecond!, $"round {round}: the regression model trained beside another");
        }
    }

    [TestMethod]
    public void ALanguageModelTrainedBesideAClassifierEqualsOneTrainedAlone()
    {
        static float[] LanguageModel()
        {
            var ml = new MLContext(seed: 1);
            IDataView data = LanguageModelTestData.Load(ml, new TestCharCodec("abc"), LanguageModelTestData.Repeating("abc", 12, 24, seed: 3));
            var options = LanguageModelTestData.TinyOptions();
            options.NumberOfEpochs = 4;
            options.Dropout = 0.2;
            using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
            return Synthetic.Floats(model.Transform(data), "LogLikelihood");
        }
        float[] alone = LanguageModel();
        float[]? beside = null;
        using (new GarbageCollections())
            Parallel.Invoke(() => beside = LanguageModel(), () => TrainAndScore(RecurrentTask.BinaryClassification, 8));
        Synthetic.AssertBitIdentical(alone, beside!, "language model trained beside a classifier");
    }

    [TestMethod]
    public void TrainingDrawsNothingFromLibtorchsProcessWideGenerator()
    {
        // TorchSharp's nn.init functions ignore their generator argument and its nn.Dropout and fused multi-layer
        // dropout draw from the process-wide generator: the library uses none of them, so reseeding or drawing from that
        // generator between (or during) trainings changes nothing.
        float[] first = TrainAndScore(RecurrentTask.BinaryClassification, 6);
        torch.manual_seed(12345);
        using (torch.randn(1000)) { }
        float[] second = TrainAndScore(RecurrentTask.BinaryClassification, 6);
        Synthetic.AssertBitIdentical(first, second, "the classifier");

        static float[] LanguageModel()
        {
            var ml = new MLContext(seed: 1);
            IDataView data = LanguageModelTestData.Load(ml, new TestCharCodec("abc"), LanguageModelTestData.Repeating("abc", 8, 24, seed: 3));
            var options = LanguageModelTestData.TinyOptions();
            options.NumberOfEpochs = 2;
            options.NumberOfLayers = 2;
            options.Dropout = 0.3;
            options.RecurrentInitialization = RecurrentInitialization.Keras;
            using var model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
            return Synthetic.Floats(model.Transform(data), "LogLikelihood");
        }
        float[] a = LanguageModel();
        torch.manual_seed(999);
        float[] b = LanguageModel();
        Synthetic.AssertBitIdentical(a, b, "the language model (2 layers, dropout, Keras start)");
    }

    [TestMethod]
    public void TheLibraryNeverHandsLibtorchAScalarItDoesNotHold()
    {
        using var ts = AssemblyDefinition.ReadAssembly(typeof(Scalar).Assembly.Location);
        using var ours = AssemblyDefinition.ReadAssembly(typeof(RecurrentTrainer).Assembly.Location);
        var (risky, isRisky) = ImplicitScalarScan.RiskyMethods(ts);
        Assert.IsGreaterThan(100, risky.Count, "the scan finds TorchSharp's implicit conversions (e.g. Tensor.add_(Tensor) passes alpha 1)");

        var offenders = ImplicitScalarScan.Calls(ours, isRisky, _ => false);
        Assert.IsEmpty(offenders, "hold every scalar (Scalars.*, or ToScalar() in a using): " + string.Join("; ", offenders));

        // Module forwards are reached through virtual calls the scan cannot follow: check the ones the networks use.
        foreach (string module in new[] { "LSTM", "GRU", "RNN", "Linear", "Embedding", "Dropout", "LSTMCell", "GRUCell", "RNNCell" })
        {
            TypeDefinition definition = ts.MainModule.GetType("TorchSharp.Modules." + module);
            Assert.IsNotNull(definition, module);
            foreach (MethodDefinition forward in definition.Methods.Where(m => m.Name == "forward"))
                Assert.IsFalse(risky.Contains(forward.FullName), $"{module}.forward converts a scalar implicitly");
        }
    }

    [TestMethod]
    public void TheTestsNeverHandLibtorchAScalarTheyDoNotHoldWhileOtherTestsRun()
    {
        // Test classes run in parallel, so a test's implicit scalar can be freed by another test's collection while libtorch
        // still reads it (the fault this class guards against). Only [DoNotParallelize] tests may convert implicitly.
        using var ts = AssemblyDefinition.ReadAssembly(typeof(Scalar).Assembly.Location);
        using var tests = AssemblyDefinition.ReadAssembly(typeof(ConcurrencyTests).Assembly.Location);
        var (_, isRisky) = ImplicitScalarScan.RiskyMethods(ts);
        var alone = tests.MainModule.GetTypes().SelectMany(t => t.Methods)
            .Where(m => m.CustomAttributes.Any(a => a.AttributeType.Name == nameof(DoNotParallelizeAttribute)))
            .Select(m => m.Name).ToHashSet();
        Assert.IsNotEmpty(alone, "the scan sees the [DoNotParallelize] tests");
        // A test's lambdas and local functions are named <Test>…
        static string Owner(MethodDefinition m) => m.Name.StartsWith('<') && m.Name.IndexOf('>') > 1 ? m.Name[1..m.Name.IndexOf('>')] : m.Name;
        var offenders = ImplicitScalarScan.Calls(tests, isRisky, m => alone.Contains(m.Name) || alone.Contains(Owner(m)));
        Assert.IsEmpty(offenders, "hold every scalar (ToScalar() in a using): " + string.Join("; ", offenders));
    }

    [TestMethod]
    [DoNotParallelize] // the reference steps run TorchSharp's own optimizers, which another test's collections could break (see the class summary)
    public void OurOptimizersTakeTheSameStepsAsTorchSharps()
    {
        foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>())
        {
            foreach (double weightDecay in new[] { 0.0, 0.01 })
            {
                float[] ours = Steps(kind, weightDecay, useTorchSharp: false);
                float[] theirs = Steps(kind, weightDecay, useTorchSharp: true);
                Synthetic.AssertBitIdentical(theirs, ours, $"{kind}, weight decay {weightDecay}");
            }
        }

        static float[] Steps(OptimizerKind kind, double weightDecay, bool useTorchSharp)
        {
            using var scope = torch.NewDisposeScope();
            using var generator = new torch.Generator(3);
            var parameter = new TorchSharp.Modules.Parameter(torch.randn(new long[] { 4, 3 }, generator: generator));
            var settings = new TrainingSettings { Optimizer = kind, LearningRate = 0.05, Momentum = 0.8, AdamBeta1 = 0.85, AdamBeta2 = 0.99, WeightDecay = weightDecay };
            using TrainingOptimizer ours = TrainingOptimizer.Create(settings, [parameter]);
            torch.optim.Optimizer theirs = kind switch
            {
                OptimizerKind.Sgd => torch.optim.SGD([parameter], 0.05, momentum: 0.8, weight_decay: weightDecay),
                OptimizerKind.AdamW => torch.optim.AdamW([parameter], 0.05, beta1: 0.85, beta2: 0.99, weight_decay: weightDecay),
                _ => torch.optim.Adam([parameter], 0.05, beta1: 0.85, beta2: 0.99, weight_decay: weightDecay),
            };
            for (int step = 0; step < 5; step++)
            {
                if (useTorchSharp) theirs.zero_grad(); else ours.ZeroGrad();
                using var target = torch.randn(new long[] { 4, 3 }, generator: generator);
                using var loss = parameter.sub(target).pow(2).sum();
                loss.backward();
                if (useTorchSharp) theirs.step(); else ours.Step();
            }
            theirs.Dispose();
            return parameter.detach().data<float>().ToArray();
        }
    }
}
