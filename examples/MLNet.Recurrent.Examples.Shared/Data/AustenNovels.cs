using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace MLNet.Recurrent.Examples;

/// <summary>
/// The Jane Austen paragraphs bundled in <c>data/austen</c>: <c>austen_train.tsv.gz</c> and <c>austen_test.tsv.gz</c>,
/// a header line <c>Label⇥Text</c> and one paragraph per line (label = the novel). Text is not quoted (quotes are text).
/// </summary>
public static class AustenNovels
{
    /// <summary>The six novels, in publication order.</summary>
    public static IReadOnlyList<string> Novels { get; } = ["Sense & Sensibility", "Pride & Prejudice", "Mansfield Park", "Emma", "Northanger Abbey", "Persuasion"];

    /// <summary>Loads the training and test paragraphs from <paramref name="folder"/> (default: the repository's data/austen).</summary>
    public static TextDataSet Load(string? folder = null)
    {
        folder ??= DataFiles.BundledDataFolder("austen");
        var train = ReadTsv(DataFiles.PlainOrGzip(folder, "austen_train.tsv"));
        var test = ReadTsv(DataFiles.PlainOrGzip(folder, "austen_test.tsv"));
        string[] classes = Novels.Where(n => train.Any(r => r.Label == n)).ToArray();
        return new TextDataSet("Jane Austen's novels, paragraph → novel (bundled data/austen)", classes, train, [], test);
    }

    /// <summary>
    /// Reads a <c>Label⇥Text</c> file with a header line (plain or .gz), with CsvHelper in no-quoting mode.
    /// </summary>
    /// <exception cref="InvalidDataException">A line without two tab-separated fields (the message names the file and line).</exception>
    public static List<TextSample> ReadTsv(string path)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = "\t",
            Mode = CsvMode.NoEscape,
            HasHeaderRecord = true,
            IgnoreBlankLines = true,
        };
        using TextReader reader = DataFiles.OpenText(path, "a tab-separated file with a header line Label<TAB>Text");
        using var csv = new CsvReader(reader, config);
        var rows = new List<TextSample>();
        if (!csv.Read())
            return rows;
        csv.ReadHeader();
        while (csv.Read())
        {
            if (csv.Parser.Count < 2)
                throw new InvalidDataException($"{path}, line {csv.Parser.RawRow}: expected two tab-separated fields Label<TAB>Text, found {csv.Parser.Count}.");
            rows.Add(new TextSample { Label = csv.GetField(0)!, Text = csv.GetField(1)! });
        }
        return rows;
    }
}
