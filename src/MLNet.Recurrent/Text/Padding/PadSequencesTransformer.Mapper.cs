using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

public sealed partial class PadSequencesTransformer
{
    /// <summary>Produces the padded column (index 0) and the length column (index 1) from one input vector column.</summary>
    private sealed partial class Mapper : RowMapper // ONNX export: Onnx/PadSequencesTransformer.Onnx.cs
    {
        private readonly PadSequencesTransformer _parent;
        private readonly int _inputIndex;

        public Mapper(PadSequencesTransformer parent, DataViewSchema inputSchema, int inputIndex)
            : base(parent, parent.SaveModel, inputSchema)
        {
            _parent = parent;
            _inputIndex = inputIndex;
        }

        protected override IReadOnlyCollection<int> InputColumns => [_inputIndex];

        protected override DataViewSchema.DetachedColumn[] CreateOutputColumns()
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

        protected override Delegate MakeGetter(DataViewRow input, int iinfo)
        {
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
    }
}
