using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace MLNet.Recurrent;

/// <summary>
/// The one-step generation model of a <see cref="LanguageModelTransformer"/>, for export to ONNX: one token id and the
/// recurrent state in, the log-probabilities of the next token and the new state out, so text can be generated in ONNX
/// Runtime (sample from <c>LogProbabilities</c>, feed the sampled id and <c>NextHidden</c>/<c>NextCell</c> back).
/// </summary>
public static class LanguageModelStepModel
{
    /// <summary>Input column: the current token id (Int32, one per row).</summary>
    public const string TokenIdColumnName = "TokenId";

    /// <summary>Input column: every layer's hidden state, layer after layer (Single vector of layers × hidden size; zeros to start).</summary>
    public const string HiddenColumnName = "Hidden";

    /// <summary>Input column (LSTM only): every layer's cell state, layer after layer (zeros to start).</summary>
    public const string CellColumnName = "Cell";

    /// <summary>Output column: natural-log probabilities of the next token (Single vector of the vocabulary size).</summary>
    public const string LogProbabilitiesColumnName = "LogProbabilities";

    /// <summary>Output column: the hidden state after the token (same layout as <see cref="HiddenColumnName"/>).</summary>
    public const string NextHiddenColumnName = "NextHidden";

    /// <summary>Output column (LSTM only): the cell state after the token.</summary>
    public const string NextCellColumnName = "NextCell";

    /// <summary>
    /// The step model as a transformer and an (empty) input view with its input columns; pass both to
    /// <c>mlContext.Model.ConvertToOnnx(stepModel, inputs, stream)</c> (package Microsoft.ML.OnnxConverter). ONNX Runtime
    /// then takes <c>TokenId</c> int32 <c>[N, 1]</c>, <c>Hidden</c> (and <c>Cell</c> for an LSTM) float
    /// <c>[N, layers × hidden]</c> and returns <c>LogProbabilities.output</c> <c>[N, vocabulary]</c>,
    /// <c>NextHidden.output</c> (and <c>NextCell.output</c>). The step model only exports: it does not score in ML.NET
    /// (use the language model's <c>Generate</c> there).
    /// </summary>
    /// <param name="model">A trained language model.</param>
    public static (ITransformer StepModel, IDataView Inputs) ForOnnxExport(LanguageModelTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var step = new LanguageModelStepTransformer(model);
        return (step, new EmptyDataView(step.Host, step.InputSchema));
    }
}
