using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>A row with a variable-length token-id column and a Boolean label.</summary>
public sealed class BinaryRow
{
    [VectorType]
    public int[] Tokens { get; set; } = Array.Empty<int>();

    public bool Label { get; set; }
}

/// <summary>A row with a variable-length token-id column and a text class (MapValueToKey makes it a key).</summary>
public sealed class ClassRow
{
    [VectorType]
    public int[] Tokens { get; set; } = Array.Empty<int>();

    public string Label { get; set; } = "";
}

/// <summary>A row with a variable-length token-id column and a Single label.</summary>
public sealed class RegressionRow
{
    [VectorType]
    public int[] Tokens { get; set; } = Array.Empty<int>();

    public float Label { get; set; }
}

/// <summary>A binary row whose token ids are padded to a fixed size (as after PadSequences).</summary>
public sealed class FixedBinaryRow
{
    [VectorType(FixedLength)]
    public int[] Tokens { get; set; } = Array.Empty<int>();

    public bool Label { get; set; }

    public const int FixedLength = 16;
}

/// <summary>Binary prediction (PredictionEngine output).</summary>
public sealed class BinaryPrediction
{
    public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}

/// <summary>Multiclass prediction (after MapKeyToValue on PredictedLabel).</summary>
public sealed class ClassPrediction
{
    public float[] Score { get; set; } = Array.Empty<float>();

    public string PredictedLabel { get; set; } = "";
}

/// <summary>Regression prediction.</summary>
public sealed class RegressionPrediction
{
    public float Score { get; set; }
}

/// <summary>
/// Tiny datasets that only an order-aware sequence model can solve (a bag of words cannot): ids 0 (pad) and 1 (unk)
/// never occur; every task uses a handful of ids.
/// </summary>
internal static class Synthetic
{
    /// <summary>Binary: does token 2 come before token 3? Both occur once among fillers 4..7 (lengths 2..maxLength).</summary>
    public static List<BinaryRow> Order(int rows, int seed, int maxLength = 10)
    {
        var rng = new Random(seed);
        var result = new List<BinaryRow>(rows);
        for (int r = 0; r < rows; r++)
        {
            int length = rng.Next(2, maxLength + 1);
            int[] tokens = Enumerable.Range(0, length).Select(_ => rng.Next(4, 8)).ToArray();
            int a = rng.Next(length), b;
            do b = rng.Next(length); while (b == a);
            tokens[a] = 2;
            tokens[b] = 3;
            result.Add(new BinaryRow { Tokens = tokens, Label = a < b });
        }
        return result;
    }

    public static readonly string[] ClassNames = { "alpha", "beta", "gamma" };

    /// <summary>Multiclass: which of tokens 2, 3, 4 (each occurring once among fillers 5..8) comes first.</summary>
    public static List<ClassRow> FirstOf(int rows, int seed, int maxLength = 10)
    {
        var rng = new Random(seed);
        var result = new List<ClassRow>(rows);
        for (int r = 0; r < rows; r++)
        {
            int length = rng.Next(3, maxLength + 1);
            int[] tokens = Enumerable.Range(0, length).Select(_ => rng.Next(5, 9)).ToArray();
            int[] positions = Enumerable.Range(0, length).OrderBy(_ => rng.Next()).Take(3).ToArray();
            for (int k = 0; k < 3; k++)
                tokens[positions[k]] = 2 + k;
            int first = Enumerable.Range(0, 3).MinBy(k => positions[k]);
            result.Add(new ClassRow { Tokens = tokens, Label = ClassNames[first] });
        }
        return result;
    }

    /// <summary>Regression: how many 3s come after the single marker 2 (other tokens are 3 or 4)?</summary>
    public static List<RegressionRow> CountAfter(int rows, int seed, int maxLength = 10)
    {
        var rng = new Random(seed);
        var result = new List<RegressionRow>(rows);
        for (int r = 0; r < rows; r++)
        {
            int length = rng.Next(1, maxLength + 1);
            int[] tokens = Enumerable.Range(0, length).Select(_ => rng.Next(3, 5)).ToArray();
            int marker = rng.Next(length);
            tokens[marker] = 2;
            result.Add(new RegressionRow { Tokens = tokens, Label = tokens.Skip(marker + 1).Count(t => t == 3) });
        }
        return result;
    }

    /// <summary>
    /// Options small and fast enough for unit tests on two cores: a plain forward LSTM read at its last step, with nothing
    /// around it (no bag, dropout, schedule or class weights), so each test switches on only the mechanism it pins.
    /// </summary>
    public static RecurrentTrainerOptions SmallOptions(int epochs = 12) => new()
    {
        EmbeddingSize = 8,
        HiddenSize = 24,
        BatchSize = 32,
        NumberOfEpochs = epochs,
        LearningRate = 0.02,
        LearningRateSchedule = LearningRateSchedule.Constant,
        Bidirectional = false,
        Pooling = SequencePooling.LastHidden,
        Dropout = 0,
        NGramLength = 0,
        MaximumRecurrentLength = 0,
        ClassWeighting = ClassWeighting.None,
        Seed = 1,
    };

    /// <summary>Multiclass pipeline: text label → key, then the recurrent trainer.</summary>
    public static IEstimator<ITransformer> MulticlassPipeline(MLContext ml, RecurrentTrainerOptions options) =>
        ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.Recurrent(options));

    /// <summary>
    /// A prediction engine that does not own (and so does not dispose) <paramref name="model"/>: ML.NET's default
    /// engines dispose their transformer, which would release a model shared by several engines or tests.
    /// </summary>
    public static PredictionEngine<TSrc, TDst> Engine<TSrc, TDst>(MLContext ml, ITransformer model)
        where TSrc : class
        where TDst : class, new() =>
        ml.Model.CreatePredictionEngine<TSrc, TDst>(model, new PredictionEngineOptions { OwnsTransformer = false });

    /// <summary>Every float of the column <paramref name="column"/> (scalar or vector), row after row.</summary>
    public static float[] Floats(IDataView data, string column)
    {
        var col = data.Schema[column];
        var values = new List<float>();
        using var cursor = data.GetRowCursor(new[] { col });
        if (col.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(col);
            VBuffer<float> v = default;
            while (cursor.MoveNext())
            {
                getter(ref v);
                values.AddRange(v.DenseValues());
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(col);
            float v = 0;
            while (cursor.MoveNext())
            {
                getter(ref v);
                values.Add(v);
            }
        }
        return values.ToArray();
    }

    /// <summary>Every parameter of <paramref name="module"/>, flattened and concatenated in order, copied out of libtorch.</summary>
    public static float[] Parameters(TorchSharp.torch.nn.Module module)
    {
        using var _ = TorchSharp.torch.NewDisposeScope();
        return TorchSharp.torch.cat(module.parameters().Select(p => p.detach().flatten()).ToList(), 0).data<float>().ToArray();
    }

    /// <summary>Asserts two arrays are bitwise equal, with a helpful message.</summary>
    public static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: value {i} differs: {expected[i]:R} vs {actual[i]:R}");
    }

    /// <summary>Asserts two arrays are equal within <paramref name="tolerance"/>.</summary>
    public static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.HasCount(expected.Length, actual, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > tolerance)
                Assert.Fail($"{what}: value {i} differs: {expected[i]:R} vs {actual[i]:R}");
    }
}
