using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// The one place that checks a component's input columns and words the errors, following ML.NET's own convention
/// (<c>Contracts.ExceptSchemaMismatch</c>): an <see cref="ArgumentOutOfRangeException"/> on the schema parameter with
/// "Could not find {role} column 'X'" or "Schema mismatch for {role} column 'X': expected …, got …". Every message names
/// the column, its role (input, feature, label, weight), the expected type and, for a missing column, the columns that
/// are there.
/// </summary>
internal static class SchemaErrors
{
    /// <summary>A missing column: names it, what was expected and the columns the data has.</summary>
    public static ArgumentOutOfRangeException Missing(string paramName, string role, string column, string expected, IEnumerable<string>? available = null)
    {
        string there = available is null ? "" : $" The data has: {string.Join(", ", available.Distinct().Select(n => $"'{n}'"))}.";
        return new(paramName, $"Could not find {role} column '{column}' (expected {expected}).{there}");
    }

    /// <summary>A column of the wrong type.</summary>
    public static ArgumentOutOfRangeException Mismatch(string paramName, string role, string column, string expected, DataViewType actual) =>
        Mismatch(paramName, role, column, expected, actual.ToString() ?? actual.GetType().Name);

    /// <summary>A column of the wrong type (<paramref name="actual"/> as shown to the user).</summary>
    public static ArgumentOutOfRangeException Mismatch(string paramName, string role, string column, string expected, string actual) =>
        new(paramName, $"Schema mismatch for {role} column '{column}': expected {expected}, got {actual}.");

    /// <summary>Finds the visible column <paramref name="name"/> and checks its type, or throws naming it.</summary>
    public static DataViewSchema.Column Require(DataViewSchema schema, string name, string role, string expected, Func<DataViewType, bool> isValid, string paramName = "inputSchema")
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.GetColumnOrNull(name) is not { IsHidden: false } column)
            throw Missing(paramName, role, name, expected, schema.Where(c => !c.IsHidden).Select(c => c.Name));
        if (!isValid(column.Type))
            throw Mismatch(paramName, role, name, expected, column.Type);
        return column;
    }

    /// <summary>The <see cref="SchemaShape"/> counterpart of <see cref="Require(DataViewSchema, string, string, string, Func{DataViewType, bool}, string)"/> (estimators' <c>GetOutputSchema</c>).</summary>
    public static SchemaShape.Column Require(SchemaShape schema, string name, string role, string expected, Func<SchemaShape.Column, bool> isValid, string paramName = "inputSchema")
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!schema.TryFindColumn(name, out var column))
            throw Missing(paramName, role, name, expected, schema.Select(c => c.Name));
        if (!isValid(column))
            throw Mismatch(paramName, role, name, expected, Describe(column));
        return column;
    }

    /// <summary>How a <see cref="SchemaShape.Column"/> is shown in messages (e.g. <c>Vector&lt;Key&lt;UInt32&gt;&gt;</c>).</summary>
    public static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType?.ToString() ?? "?";
        return column.Kind == SchemaShape.Column.VectorKind.Scalar ? item : $"Vector<{item}>";
    }
}
