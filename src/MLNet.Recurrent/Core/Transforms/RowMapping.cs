using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Recurrent;

/// <summary>
/// What ML.NET's own row-to-row transformers do with their mapper, for the library's transformers (which implement
/// <see cref="ITransformer"/> directly): the output schema, a lazily mapped <see cref="IDataView"/>, and the
/// <see cref="IRowToRowMapper"/> that <c>PredictionEngine</c> uses. The mapper factory each method takes checks the input
/// schema and throws naming a missing or mistyped column.
/// </summary>
internal static class RowMapping
{
    public static DataViewSchema OutputSchema(IHost host, DataViewSchema inputSchema, Func<DataViewSchema, IRowMapper> makeMapper)
    {
        host.CheckValue(inputSchema, nameof(inputSchema));
        return RowToRowMapperTransform.GetOutputSchema(inputSchema, makeMapper(inputSchema));
    }

    public static IDataView Transform(IHost host, IDataView input, Func<DataViewSchema, IRowMapper> makeMapper)
    {
        host.CheckValue(input, nameof(input));
        return new RowToRowMapperTransform(host, input, makeMapper(input.Schema), makeMapper);
    }

    public static IRowToRowMapper RowToRowMapper(IHost host, DataViewSchema inputSchema, Func<DataViewSchema, IRowMapper> makeMapper)
    {
        host.CheckValue(inputSchema, nameof(inputSchema));
        return new RowToRowMapperTransform(host, new EmptyDataView(host, inputSchema), makeMapper(inputSchema), makeMapper);
    }
}
