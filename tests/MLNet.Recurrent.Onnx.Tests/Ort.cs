using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace MLNet.Recurrent.Onnx.Tests;

/// <summary>Runs an exported model in ONNX Runtime on whole batches and hands back the outputs as arrays.</summary>
internal sealed class Ort : IDisposable
{
    private readonly InferenceSession session;
    private readonly List<OrtValue> inputs = new();
    private readonly List<string> names = new();

    public Ort(byte[] model)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        session = new InferenceSession(model, options);
    }

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => session.InputMetadata;

    public IReadOnlyDictionary<string, NodeMetadata> Outputs => session.OutputMetadata;

    public Ort Strings(string name, IReadOnlyList<string> values)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, new long[] { values.Count, 1 });
        for (int i = 0; i < values.Count; i++)
            value.StringTensorSetElementAt(values[i].AsSpan(), i);
        return Add(name, value);
    }

    public Ort Tensor<T>(string name, T[] values, params long[] shape) where T : unmanaged =>
        Add(name, OrtValue.CreateTensorValueFromMemory(values, shape));

    /// <summary>Ragged int rows as one right-padded (0) [N, T] int32 tensor, as a variable-length ML.NET vector column.</summary>
    public Ort Ragged(string name, IReadOnlyList<int[]> rows)
    {
        int width = Math.Max(1, rows.Max(r => r.Length));
        var values = new int[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
            rows[i].CopyTo(values, i * width);
        return Tensor(name, values, rows.Count, width);
    }

    /// <summary>Forgets the inputs given so far (the session stays loaded).</summary>
    public Ort ClearInputs()
    {
        foreach (var value in inputs)
            value.Dispose();
        inputs.Clear();
        names.Clear();
        return this;
    }

    private Ort Add(string name, OrtValue value)
    {
        names.Add(name);
        inputs.Add(value);
        return this;
    }

    /// <summary>Runs the graph; every requested output comes back as (shape, flat values).</summary>
    public Dictionary<string, (long[] Shape, Array Values)> Run(params string[] outputs)
    {
        using var results = session.Run(new RunOptions(), names, inputs, outputs);
        var map = new Dictionary<string, (long[], Array)>();
        for (int i = 0; i < outputs.Length; i++)
        {
            OrtValue value = results[i];
            var info = value.GetTensorTypeAndShape();
            Array data = info.ElementDataType switch
            {
                Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
                Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray(),
                Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt32 => value.GetTensorDataAsSpan<uint>().ToArray(),
                Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray(),
                Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
                Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String => Enumerable.Range(0, (int)info.ElementCount).Select(value.GetStringElement).ToArray(),
                var t => throw new NotSupportedException(t.ToString()),
            };
            map[outputs[i]] = (info.Shape, data);
        }
        return map;
    }

    public void Dispose()
    {
        foreach (var value in inputs)
            value.Dispose();
        session.Dispose();
    }

    /// <summary>Exports <paramref name="model"/> with ML.NET's converter.</summary>
    public static byte[] Export(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>Every value of column <paramref name="column"/> as floats (scalars, vectors, Booleans as 0/1, keys as numbers).</summary>
    public static float[] Column(IDataView data, string column)
    {
        var col = data.Schema[column];
        var values = new List<float>();
        using var cursor = data.GetRowCursor(new[] { col });
        Delegate getter = col.Type switch
        {
            VectorDataViewType { ItemType: var item } when item == NumberDataViewType.Single => cursor.GetGetter<VBuffer<float>>(col),
            _ when col.Type == NumberDataViewType.Single => cursor.GetGetter<float>(col),
            _ when col.Type == BooleanDataViewType.Instance => cursor.GetGetter<bool>(col),
            KeyDataViewType => cursor.GetGetter<uint>(col),
            _ => throw new NotSupportedException(col.Type.ToString()),
        };
        while (cursor.MoveNext())
        {
            switch (getter)
            {
                case ValueGetter<VBuffer<float>> g: { VBuffer<float> v = default; g(ref v); values.AddRange(v.DenseValues()); break; }
                case ValueGetter<float> g: { float v = 0; g(ref v); values.Add(v); break; }
                case ValueGetter<bool> g: { bool v = false; g(ref v); values.Add(v ? 1 : 0); break; }
                case ValueGetter<uint> g: { uint v = 0; g(ref v); values.Add(v); break; }
            }
        }
        return values.ToArray();
    }

    /// <summary>Flat ONNX output values as floats.</summary>
    public static float[] Floats(Array values) => values switch
    {
        float[] f => f,
        bool[] b => b.Select(x => x ? 1f : 0f).ToArray(),
        uint[] u => u.Select(x => (float)x).ToArray(),
        int[] i => i.Select(x => (float)x).ToArray(),
        long[] l => l.Select(x => (float)x).ToArray(),
        _ => throw new NotSupportedException(values.GetType().Name),
    };

    /// <summary>The largest absolute difference; fails when the lengths differ.</summary>
    public static float MaxAbsDiff(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, $"{what}: number of values");
        float max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = Math.Abs(expected[i] - actual[i]);
            if (float.IsNaN(expected[i]) != float.IsNaN(actual[i]))
                d = float.PositiveInfinity;
            else if (float.IsNaN(d))
                d = 0;
            max = Math.Max(max, d);
        }
        return max;
    }
}
