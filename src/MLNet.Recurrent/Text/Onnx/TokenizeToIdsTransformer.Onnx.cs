using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.Recurrent;

public sealed partial class TokenizeToIdsTransformer
{
    /// <summary>ONNX export of the row mapper (ML.NET's converter reaches it through its RowToRowMapperTransform).</summary>
    private sealed partial class Mapper : ISaveAsOnnx
    {
        /// <summary>True for Word and Character modes; Pretrained mode throws <see cref="NotSupportedException"/> naming the limitation.</summary>
        public bool CanSaveOnnx(OnnxContext ctx)
        {
            TokenizeToIdsOnnx.CheckExportable(_parent);
            return true;
        }

        public void SaveAsOnnx(OnnxContext ctx) => TokenizeToIdsOnnx.Save(ctx, _parent);
    }
}
