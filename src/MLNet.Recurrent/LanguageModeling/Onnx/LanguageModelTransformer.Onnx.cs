using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.Recurrent;

public sealed partial class LanguageModelTransformer
{
    /// <summary>The column names and model the ONNX exporter reads.</summary>
    internal LanguageModelColumns Columns => columns;

    /// <summary>ONNX export of the row mapper (ML.NET's converter reaches it through its RowToRowMapperTransform).</summary>
    private sealed partial class Mapper : ISaveAsOnnx
    {
        public bool CanSaveOnnx(OnnxContext ctx) => true;

        public void SaveAsOnnx(OnnxContext ctx) => LanguageModelOnnx.Save(ctx, parent);
    }
}
