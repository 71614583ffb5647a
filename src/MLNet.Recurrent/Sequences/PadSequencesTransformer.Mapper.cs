using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

public sealed partial class PadSequencesTransformer
{
    /// <summary>Produces the padded column (index 0) and the length column (index 1) from one input vector column.</summary>
    private sealed partial class Mapper : MapperBase // ONNX export: Onnx/PadSequencesTransformer.Onnx.cs
    {
        private readonly PadSequencesTransformer _parent;
        private readonly int _inputIndex;

        public Mapper(PadSequencesTransformer parent, DataViewSchema inputSchema, int inputIndex)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _inputIndex = inputIndex;
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            annotations.Add(InputSchema[_inputIndex].Annotations, name => name != AnnotationUtils.Kinds.SlotNames);
            return
            [
                new DataViewSchema.DetachedColumn(_parent.OutputColumnName,
                    new VectorDataViewType(NumberDataViewType.Int32, _parent.MaximumLength), annotations.ToAnnotations()),
                new DataViewSchema.DetachedColumn(_parent.LengthColumnName, NumberDataViewType.Int32),
            ];
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var source = input.GetGetter<VBuffer<int>>(input.Schema[_inputIndex]);
            VBuffer<int> values = default, dense = default;
            ReadOnlySpan<int> Read()
            {
                source(ref values);
                if (values.IsDense)
                    return values.GetValues();
                values.CopyToDense(ref dense);
                return dense.GetValues();
            }

            if (iinfo == 0)
            {
                ValueGetter<VBuffer<int>> padded = (ref VBuffer<int> dst) =>
                {
                    ReadOnlySpan<int> row = Read();
                    var editor = VBufferEditor.Create(ref dst, _parent.MaximumLength);
                    _parent.Pad(row, editor.Values);
                    dst = editor.Commit();
                };
                return padded;
            }
            ValueGetter<int> length = (ref int dst) => dst = Math.Min(Read().Length, _parent.MaximumLength);
            return length;
        }

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool needed = activeOutput(0) || activeOutput(1);
            return col => needed && col == _inputIndex;
        }

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);
    }
}
