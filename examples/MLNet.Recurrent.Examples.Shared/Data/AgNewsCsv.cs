using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace MLNet.Recurrent.Examples;

/// <summary>
/// The AG News topic set in its standard CSV form (<c>ag_news_csv/train.csv</c> and <c>test.csv</c>): no header, three
/// RFC 4180 fields per record, <c>"class index","title","description"</c>, class 1–4 = World, Sports, Business, Sci/Tech.
/// Read with CsvHelper. Text = title + " " + description, with the set's literal <c>\n</c> sequences turned into spaces.
/// </summary>
public static class AgNewsCsv
{
    /// <summary>Class names in the order of the 1-based class index.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["World", "Sports", "Business", "Sci/Tech"];

    /// <summary>Loads <c>train.csv</c> and <c>test.csv</c> (or .csv.gz) from <paramref name="folder"/>.</summary>
    public static TextDataSet Load(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"--data {folder}: no such folder; expected AG News's ag_news_csv folder with train.csv and test.csv.");
        return new TextDataSet($"AG News ({folder})", Classes, Read(DataFiles.PlainOrGzip(folder, "train.csv")), [], Read(DataFiles.PlainOrGzip(folder, "test.csv")));
    }

    /// <summary>Reads one AG News CSV file.</summary>
    /// <exception cref="InvalidDataException">A record without 3 fields or with a class outside 1–4 (the message names file and line).</exception>
    public static List<TextSample> Read(string path)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false };
        using TextReader reader = DataFiles.OpenText(path, "an AG News CSV file (\"class index\",\"title\",\"description\")");
        using var csv = new CsvReader(reader, config);
        var rows = new List<TextSample>();
        try
        {
            while (csv.Read())
            {
                if (csv.Parser.Count != 3)
                    throw new InvalidDataException($"{path}, line {csv.Parser.RawRow}: expected 3 fields \"class index\",\"title\",\"description\", found {csv.Parser.Count}.");
                string index = csv.GetField(0)!;
                if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int cls) || cls < 1 || cls > Classes.Count)
                    throw new InvalidDataException($"{path}, line {csv.Parser.RawRow}: the class index must be 1–{Classes.Count}, found '{index}'.");
                rows.Add(new TextSample { Label = Classes[cls - 1], Text = (Clean(csv.GetField(1)!) + " " + Clean(csv.GetField(2)!)).Trim() });
            }
        }
        catch (CsvHelperException e)
        {
            throw new InvalidDataException($"{path}, line {e.Context?.Parser?.RawRow}: not valid CSV ({e.GetType().Name}).", e);
        }
        return rows;
    }

    private static string Clean(string field) => field.Replace("\\n", " ", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal).Trim();
}
