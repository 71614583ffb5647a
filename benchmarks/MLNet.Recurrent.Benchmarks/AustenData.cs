using System.IO.Compression;

namespace MLNet.Recurrent.Benchmarks;

/// <summary>The bundled Jane Austen corpus (data/austen), read through GZipStream.</summary>
public static class AustenData
{
    /// <summary>One row of austen_train.tsv.gz / austen_test.tsv.gz.</summary>
    public sealed class Paragraph
    {
        public string Label { get; set; } = "";

        public string Text { get; set; } = "";
    }

    /// <summary>The <c>data/austen</c> folder, found by walking up from the working directory and the program folder.</summary>
    public static string Folder()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", "austen");
                if (File.Exists(Path.Combine(candidate, "austen_train.tsv.gz")))
                    return candidate;
            }
        }
        throw new FileNotFoundException("data/austen/austen_train.tsv.gz not found above the working directory; pass --data <file>.");
    }

    /// <summary>Reads a <c>Label&lt;TAB&gt;Text</c> file with a header line.</summary>
    public static List<Paragraph> ReadTsv(string path)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var rows = new List<Paragraph>();
        reader.ReadLine(); // header
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            int tab = line.IndexOf('\t');
            if (tab > 0)
                rows.Add(new Paragraph { Label = line[..tab], Text = line[(tab + 1)..] });
        }
        return rows;
    }
}
