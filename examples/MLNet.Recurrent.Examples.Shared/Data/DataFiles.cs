using System.IO.Compression;
using System.Text;

namespace MLNet.Recurrent.Examples;

/// <summary>Opening data files (plain or .gz) and finding the data bundled with the repository.</summary>
public static class DataFiles
{
    /// <summary>Opens a text file, decompressing it when its name ends in .gz.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (the message says what it should hold).</exception>
    public static TextReader OpenText(string path, string whatItHolds)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} does not exist; expected {whatItHolds}.", path);
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream, Encoding.UTF8);
    }

    /// <summary>
    /// <paramref name="name"/> or <paramref name="name"/>.gz in <paramref name="folder"/>, whichever exists (the plain
    /// name when neither does, so that the error names it).
    /// </summary>
    public static string PlainOrGzip(string folder, string name)
    {
        string plain = Path.Combine(folder, name);
        return !File.Exists(plain) && File.Exists(plain + ".gz") ? plain + ".gz" : plain;
    }

    /// <summary>
    /// The repository's <c>data/</c> folder: searched upwards from the current folder and from the program's folder.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">Neither is inside a clone of the repository.</exception>
    public static string BundledDataFolder(string child)
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", child);
                if (Directory.Exists(candidate))
                    return candidate;
            }
        }
        throw new DirectoryNotFoundException($"The bundled data/{child} folder was not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; run the example from a clone of the repository or pass --data.");
    }
}
