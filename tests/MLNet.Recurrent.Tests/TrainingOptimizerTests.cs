using MLNet.Recurrent;
using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class TrainingOptimizerTests
{
    [TestMethod]
    [DataRow(OptimizerKind.Adam, 0.0)]
    [DataRow(OptimizerKind.AdamW, 0.0)]
    [DataRow(OptimizerKind.Sgd, 0.01)]
    public void Sparse_embedding_gradients_take_the_same_first_step_as_dense_ones(OptimizerKind kind, double weightDecay)
    {
        // (Lazy Adam's weight decay applies to the touched rows only, so it is compared without; SGD's rule is dense.)
        float[] sparse = TrainEmbedding(kind, sparse: true, steps: 1, out _, weightDecay: weightDecay);
        float[] dense = TrainEmbedding(kind, sparse: false, steps: 1, out _, weightDecay: weightDecay);
        CollectionAssert.AreEqual(dense, sparse);
    }

    [TestMethod]
    public void Lazy_adam_leaves_rows_no_batch_used_untouched()
    {
        float[] before = TrainEmbedding(OptimizerKind.AdamW, sparse: true, steps: 0, out _, weightDecay: 0.1);
        float[] after = TrainEmbedding(OptimizerKind.AdamW, sparse: true, steps: 6, out _, weightDecay: 0.1);
        // Rows 0..5 are looked up; rows 6..9 never are.
        for (int i = 6 * 3; i < 10 * 3; i++)
            Assert.AreEqual(before[i], after[i], $"element {i}");
        Assert.IsTrue(Enumerable.Range(0, 6 * 3).Any(i => before[i] != after[i]));
    }

    [TestMethod]
    public void Clipping_matches_clip_grad_norm_for_sparse_and_dense_gradients()
    {
        TrainEmbedding(OptimizerKind.Sgd, sparse: true, steps: 1, out double sparseNorm, clip: 0.01);
        TrainEmbedding(OptimizerKind.Sgd, sparse: false, steps: 1, out double denseNorm, clip: 0.01);
        Assert.AreEqual(denseNorm, sparseNorm, 1e-5);
        Assert.IsTrue(denseNorm > 0.01);
        float[] clippedSparse = TrainEmbedding(OptimizerKind.Sgd, sparse: true, steps: 1, out _, clip: 0.01);
        float[] clippedDense = TrainEmbedding(OptimizerKind.Sgd, sparse: false, steps: 1, out _, clip: 0.01);
        for (int i = 0; i < clippedDense.Length; i++)
            Assert.AreEqual(clippedDense[i], clippedSparse[i], 1e-6, $"element {i}");
    }

    [TestMethod]
    public void A_non_finite_gradient_is_reported_and_updates_nothing()
    {
        using var scope = torch.NewDisposeScope();
        var parameter = new Parameter(torch.ones(3));
        using TrainingOptimizer optimizer = TrainingOptimizer.Create(new TrainingSettings { Optimizer = OptimizerKind.Adam, LearningRate = 0.1 }, [parameter]);
        using var loss = parameter.mul(torch.tensor(new[] { 1f, float.NaN, 1f })).sum();
        loss.backward();
        double norm = optimizer.Step(clipNorm: 1);
        Assert.IsTrue(double.IsNaN(norm));
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f }, parameter.detach().data<float>().ToArray());
    }

    /// <summary>Trains a 10 x 3 embedding whose batches look up rows 0..5 (some twice in a batch, so the sparse gradient has repeated rows).</summary>
    private static float[] TrainEmbedding(OptimizerKind kind, bool sparse, int steps, out double lastNorm, double clip = 0, double weightDecay = 0)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(7);
        torch.random.manual_seed(7);
        using var embedding = torch.nn.Embedding(10, 3, sparse: sparse);
        using (torch.no_grad())
            embedding.weight!.copy_(torch.randn(new long[] { 10, 3 }, generator: generator));
        var settings = new TrainingSettings { Optimizer = kind, LearningRate = 0.05, Momentum = 0.8, WeightDecay = weightDecay };
        using TrainingOptimizer optimizer = TrainingOptimizer.Create(settings, embedding.parameters());
        lastNorm = 0;
        long[][] batches = [[0, 1, 1, 2], [3, 4, 3, 5], [0, 5, 2, 2]];
        for (int step = 0; step < steps; step++)
        {
            optimizer.ZeroGrad();
            using var ids = torch.tensor(batches[step % batches.Length]);
            using var target = torch.randn(new long[] { 4, 3 }, generator: generator);
            using Scalar two = 2.ToScalar(); // held: an implicit scalar can be finalized by another test's collection mid-call
            using var loss = embedding.forward(ids).sub(target).pow(two).sum();
            loss.backward();
            lastNorm = optimizer.Step(clip);
        }
        return embedding.weight!.detach().data<float>().ToArray();
    }
}
