namespace MLNet.Recurrent.Examples.Tests;

/// <summary>Paths of the fixture files (copied next to the test assembly) and scratch folders.</summary>
internal static class Fixture
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>A new empty folder under the temp folder.</summary>
    public static string NewFolder()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnet-recurrent-examples-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
