using Mono.Cecil;
using MLNet.Recurrent.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Examples.Tests;

[TestClass]
public sealed class HeldScalarTests
{
    [TestMethod]
    public void TheExamplesSharedCodeNeverHandsLibtorchAScalarItDoesNotHold()
    {
        // The n-gram baseline died of such a scalar after minutes of training (a raw libtorch "toFloat" error). TorchSharp's
        // optimizers convert their settings in every step behind a virtual call the scan cannot follow, so any use of
        // torch.optim counts too: the examples train their hand-written loops with HeldScalarAdam.
        using var ts = AssemblyDefinition.ReadAssembly(typeof(Scalar).Assembly.Location);
        using var examples = AssemblyDefinition.ReadAssembly(typeof(HeldScalarAdam).Assembly.Location);
        var (risky, isRisky) = ImplicitScalarScan.RiskyMethods(ts);
        Assert.IsTrue(risky.Any(m => m.Contains("TorchSharp.Modules.Adam::step")), "the scan sees that TorchSharp's Adam converts scalars in its step");

        static bool UsesTorchSharpOptimizers(MethodReference m) => m.DeclaringType.FullName.StartsWith("TorchSharp.torch/optim", StringComparison.Ordinal);
        var offenders = ImplicitScalarScan.Calls(examples, m => isRisky(m) || UsesTorchSharpOptimizers(m), _ => false);

        Assert.IsEmpty(offenders, "hold every scalar (ToScalar() in a using or a field disposed with its owner) and train with HeldScalarAdam: " + string.Join("; ", offenders));
    }

    [TestMethod]
    [DoNotParallelize] // the reference runs TorchSharp's own Adam, whose scalars another test's collections could free
    public void HeldScalarAdamTakesTorchSharpsAdamSteps()
    {
        float[] Train(bool ours)
        {
            using var scope = NewDisposeScope();
            var generator = new Generator(7);
            using var model = nn.Linear(3, 2);
            using (no_grad())
                foreach (var p in model.parameters())
                    p.uniform_(-0.5, 0.5, generator);
            Tensor x = rand(new long[] { 8, 3 }, generator: generator), y = rand(new long[] { 8, 2 }, generator: generator);
            using HeldScalarAdam held = new(model.parameters(), 0.01);
            using var theirs = optim.Adam(model.parameters(), 0.01);
            for (int step = 0; step < 5; step++)
            {
                if (ours) held.ZeroGrad(); else theirs.zero_grad();
                nn.functional.mse_loss(model.call(x), y).backward();
                if (ours) held.Step(); else theirs.step();
            }
            return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }

        float[] ours = Train(ours: true), reference = Train(ours: false);
        Assert.HasCount(reference.Length, ours);
        for (int i = 0; i < ours.Length; i++)
            Assert.AreEqual(reference[i], ours[i], 1e-6f, $"weight {i}");
    }
}
