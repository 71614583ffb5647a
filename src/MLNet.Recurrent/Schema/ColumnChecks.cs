using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// Input-column validation shared by the components, with the messages ML.NET's own transforms use
/// ("Schema mismatch for input column 'X': expected String, got Single") plus the expected type for a
/// missing column, so every error names the column, the expected and the actual type.
/// </summary>
internal static class ColumnChecks
{
    /// <summary>Finds <paramref name="name"/> in <paramref name="schema"/> and checks its type, or throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public static DataViewSchema.Column Require(DataViewSchema schema, string name, string expected, Func<DataViewType, bool> isValid)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var column = schema.GetColumnOrNull(name);
        if (column is null || column.Value.IsHidden)
            throw Missing(name, expected, schema.Where(c => !c.IsHidden).Select(c => c.Name));
        if (!isValid(column.Value.Type))
            throw Mismatch(name, expected, column.Value.Type.ToString() ?? column.Value.Type.GetType().Name);
        return column.Value;
    }

    /// <summary>Finds <paramref name="name"/> in a <see cref="SchemaShape"/> and checks it, or throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public static SchemaShape.Column Require(SchemaShape schema, string name, string expected, Func<SchemaShape.Column, bool> isValid)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!schema.TryFindColumn(name, out var column))
            throw Missing(name, expected, schema.Select(c => c.Name));
        if (!isValid(column))
            throw Mismatch(name, expected, Describe(column));
        return column;
    }

    /// <summary>How a <see cref="SchemaShape.Column"/> is shown in messages (e.g. <c>Vector&lt;Single&gt;</c>).</summary>
    public static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType?.ToString() ?? "?";
        return column.Kind == SchemaShape.Column.VectorKind.Scalar ? item : $"Vector<{item}>";
    }

    private static ArgumentOutOfRangeException Missing(string name, string expected, IEnumerable<string> available) =>
        new("inputSchema", $"Could not find input column '{name}': expected {expected}, got no such column (available columns: {string.Join(", ", available.Distinct().Select(n => $"'{n}'"))}).");

    private static ArgumentOutOfRangeException Mismatch(string name, string expected, string actual) =>
        new("inputSchema", $"Schema mismatch for input column '{name}': expected {expected}, got {actual}.");
}
