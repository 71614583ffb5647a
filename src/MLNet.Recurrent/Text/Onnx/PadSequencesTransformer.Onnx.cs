using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.Recurrent;

public sealed partial class PadSequencesTransformer
{
    /// <summary>ONNX export of the row mapper (ML.NET's converter reaches it through its RowToRowMapperTransform).</summary>
    private sealed partial class Mapper : ISaveAsOnnx
    {
        public bool CanSaveOnnx(OnnxContext ctx) => true;

        public void SaveAsOnnx(OnnxContext ctx) => PadSequencesOnnx.Save(ctx, _parent, InputSchema[_inputIndex].Type);
    }
}
