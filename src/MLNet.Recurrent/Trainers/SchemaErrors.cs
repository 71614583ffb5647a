using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>Schema errors worded like ML.NET's own (<c>Contracts.ExceptSchemaMismatch</c>), always naming the column and what it should be.</summary>
internal static class SchemaErrors
{
    public static ArgumentOutOfRangeException Missing(string paramName, string role, string column, string expected) =>
        new(paramName, $"Could not find {role} column '{column}' (expected {expected}).");

    public static ArgumentOutOfRangeException Mismatch(string paramName, string role, string column, string expected, DataViewType actual) =>
        Mismatch(paramName, role, column, expected, actual.ToString() ?? "?");

    public static ArgumentOutOfRangeException Mismatch(string paramName, string role, string column, string expected, string actual) =>
        new(paramName, $"Schema mismatch for {role} column '{column}': expected {expected}, got {actual}.");
}
