using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.Recurrent;

/// <summary>
/// A thin layer over ML.NET's <see cref="OnnxContext"/> for the exporters in this folder: nodes with one call, unique
/// node and value names under one prefix, and constants. Intermediate values carry no declared type or shape (ONNX
/// Runtime infers them); only the values that end up as ML.NET columns are declared (<see cref="DeclareColumn"/>).
/// Uses the opset ML.NET's converter writes: ONNX 12 (<c>""</c>) and <c>ai.onnx.ml</c> 2, plus ONNX Runtime's
/// <c>com.microsoft</c> <c>Tokenizer</c> (as ML.NET's own word tokenizer does).
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The <c>ai.onnx.ml</c> domain (LabelEncoder).</summary>
    public const string MlDomain = "ai.onnx.ml";

    /// <summary>ONNX Runtime's contrib domain (Tokenizer).</summary>
    public const string MicrosoftDomain = "com.microsoft";

    private readonly string prefix;

    public OnnxGraph(OnnxContext context, string prefix)
    {
        Context = context;
        this.prefix = prefix;
    }

    public OnnxContext Context { get; }

    /// <summary>A fresh value name (not bound to any ML.NET column name the pipeline could use).</summary>
    public string Value(string name) => Context.AddIntermediateVariable(null!, $"{prefix}.{name}", skip: true);

    /// <summary>Declares the value that holds ML.NET column <paramref name="column"/> from now on (typed, so the graph output is too).</summary>
    public string DeclareColumn(DataViewType type, string column) => Context.AddIntermediateVariable(type, column);

    /// <summary>Adds a node with one output; returns the output's name.</summary>
    public string Node(string op, params string[] inputs) => NodeWith(op, inputs, null);

    /// <summary>Adds a node with one output and attributes set by <paramref name="attributes"/>; returns the output's name.</summary>
    public string NodeWith(string op, string[] inputs, Action<OnnxNode>? attributes, string? domain = null, string? output = null)
    {
        output ??= Value(op);
        OnnxNode node = Context.CreateNode(op, inputs, new[] { output }, Context.GetNodeName($"{prefix}.{op}"), domain ?? "");
        attributes?.Invoke(node);
        return output;
    }

    /// <summary>Adds a node with several outputs (an empty name skips an optional output); returns their names.</summary>
    public string[] NodeMulti(string op, string[] inputs, string[] outputNames, Action<OnnxNode>? attributes, string? domain = null)
    {
        string[] outputs = outputNames.Select(n => n.Length == 0 ? "" : Value(n)).ToArray();
        OnnxNode node = Context.CreateNode(op, inputs, outputs, Context.GetNodeName($"{prefix}.{op}"), domain ?? "");
        attributes?.Invoke(node);
        return outputs;
    }

    // ---- constants ----

    public string Int64(params long[] values) => Context.AddInitializer(values, new long[] { values.Length }, $"{prefix}.i64");

    public string Int64Scalar(long value) => Context.AddInitializer(value, $"{prefix}.i64");

    public string Int32Scalar(int value) => Context.AddInitializer(value, typeof(int), $"{prefix}.i32");

    public string FloatScalar(float value) => Context.AddInitializer(value, $"{prefix}.f32");

    public string Floats(float[] values, long[] dims, string name) => Context.AddInitializer(values, dims, $"{prefix}.{name}");

    public string Int64s(long[] values, long[] dims, string name) => Context.AddInitializer(values, dims, $"{prefix}.{name}");

    public string Int32s(int[] values, long[] dims, string name) => Context.AddInitializer(values, typeof(int), dims, $"{prefix}.{name}");

    public string Strings(string[] values, long[] dims, string name) => Context.AddInitializer(values, dims, $"{prefix}.{name}");

    // ---- common ops ----

    public string Cast(string input, Type to) => NodeWith("Cast", new[] { input }, n => n.AddAttribute("to", to));

    public string Add(string a, string b) => Node("Add", a, b);

    public string Sub(string a, string b) => Node("Sub", a, b);

    public string Mul(string a, string b) => Node("Mul", a, b);

    public string Div(string a, string b) => Node("Div", a, b);

    public string And(string a, string b) => Node("And", a, b);

    public string Or(string a, string b) => Node("Or", a, b);

    public string Not(string a) => Node("Not", a);

    public string Equal(string a, string b) => Node("Equal", a, b);

    public string Less(string a, string b) => Node("Less", a, b);

    public string Greater(string a, string b) => Node("Greater", a, b);

    public string Where(string condition, string whenTrue, string whenFalse) => Node("Where", condition, whenTrue, whenFalse);

    public string Min(string a, string b) => Node("Min", a, b);

    public string Max(string a, string b) => Node("Max", a, b);

    public string Gather(string data, string indices, long axis = 0) => NodeWith("Gather", new[] { data, indices }, n => n.AddAttribute("axis", axis));

    public string Reshape(string input, params long[] shape) => Node("Reshape", input, Int64(shape));

    public string Concat(long axis, params string[] inputs) => NodeWith("Concat", inputs, n => n.AddAttribute("axis", axis));

    public string Transpose(string input, params long[] perm) => NodeWith("Transpose", new[] { input }, n => n.AddAttribute("perm", perm));

    public string Unsqueeze(string input, params long[] axes) => NodeWith("Unsqueeze", new[] { input }, n => n.AddAttribute("axes", axes));

    public string Squeeze(string input, params long[] axes) => NodeWith("Squeeze", new[] { input }, n => n.AddAttribute("axes", axes));

    /// <summary>Opset-12 ReduceSum/ReduceMax/… with the axes as an attribute.</summary>
    public string Reduce(string op, string input, long[] axes, bool keepDims) =>
        NodeWith(op, new[] { input }, n => { n.AddAttribute("axes", axes); n.AddAttribute("keepdims", keepDims ? 1L : 0L); });

    /// <summary>Inclusive (or exclusive) running sum along <paramref name="axis"/>.</summary>
    public string CumSum(string input, long axis, bool exclusive = false) =>
        NodeWith("CumSum", new[] { input, Int64Scalar(axis) }, n => { if (exclusive) n.AddAttribute("exclusive", 1L); });

    /// <summary><c>input[..., start:end]</c> along <paramref name="axis"/> (<paramref name="start"/>/<paramref name="end"/> are 1-element int64 tensors).</summary>
    public string Slice(string input, string start, string end, long axis) => Node("Slice", input, start, end, Int64(axis));

    public string Slice(string input, long start, long end, long axis) => Slice(input, Int64(start), Int64(end), axis);

    /// <summary>Dimension <paramref name="axis"/> of <paramref name="input"/> as a 1-element int64 tensor.</summary>
    public string Dim(string input, long axis) => Slice(Node("Shape", input), axis, axis + 1, 0);

    /// <summary>
    /// The width (dimension 1) of the int tensor <paramref name="input"/> <c>[N, T]</c> (N ≥ 1), as a 1-element int64
    /// tensor computed from the data. Use it on tensors that come from other components: ML.NET declares some of its
    /// exported values with a width of 1 that they do not have at run time (its word tokenizer's <c>[1, T]</c> output is
    /// declared <c>[-1, 1]</c>), and ONNX Runtime folds <c>Shape</c> of a declared dimension into a constant.
    /// </summary>
    public string RuntimeWidth(string input)
    {
        string ones = Cast(Equal(input, input), typeof(long));
        return Reduce("ReduceMax", Reduce("ReduceSum", ones, new long[] { 1 }, keepDims: false), new long[] { 0 }, keepDims: true);
    }

    /// <summary>An int64 tensor of zeros with the shape given by the 1-D int64 tensor <paramref name="shape"/>.</summary>
    public string ZerosInt64(string shape) => Cast(Node("ConstantOfShape", shape), typeof(long));

    /// <summary>An float tensor of zeros with the shape given by the 1-D int64 tensor <paramref name="shape"/>.</summary>
    public string ZerosFloat(string shape) => Node("ConstantOfShape", shape);

    /// <summary><c>[0, 1, …, n-1]</c> for a scalar int64 <paramref name="n"/>.</summary>
    public string Range(string n) => Node("Range", Int64Scalar(0), n, Int64Scalar(1));
}
