using System.IO.Compression;
using System.Text;
using Microsoft.ML;

namespace MLNet.Recurrent;

/// <summary>
/// Readers for the standard file formats of common text-classification datasets, so examples and users can load
/// them straight into an <see cref="IDataView"/> with <c>Label</c> and <c>Text</c> string columns. Files ending
/// in <c>.gz</c> are decompressed on the fly. Malformed rows throw <see cref="InvalidDataException"/> naming the file and line.
/// </summary>
public static class TextDatasets
{
    /// <summary>AG News class names, in the order of the dataset's 1-based class ids.</summary>
    public static IReadOnlyList<string> AgNewsClasses { get; } = new[] { "World", "Sports", "Business", "Sci/Tech" };

    /// <summary>
    /// Reads a tab-separated file of <c>label⇥text</c> lines (no quoting; e.g. the bundled Austen paragraphs).
    /// </summary>
    /// <param name="path">The file (.tsv or .tsv.gz).</param>
    /// <param name="hasHeader">Whether the first line is a header to skip. Default true.</param>
    /// <param name="labelColumn">0-based column of the label. Default 0.</param>
    /// <param name="textColumn">0-based column of the text. Default 1.</param>
    public static IEnumerable<LabeledText> ReadTsv(string path, bool hasHeader = true, int labelColumn = 0, int textColumn = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(labelColumn);
        ArgumentOutOfRangeException.ThrowIfNegative(textColumn);
        int needed = Math.Max(labelColumn, textColumn) + 1;
        using TextReader reader = OpenText(path);
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (lineNumber == 1 && hasHeader || line.Length == 0)
                continue;
            string[] fields = line.Split('\t');
            if (fields.Length < needed)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected at least {needed} tab-separated fields (label in column {labelColumn}, text in column {textColumn}), found {fields.Length}.");
            yield return new LabeledText { Label = fields[labelColumn], Text = fields[textColumn] };
        }
    }

    /// <summary>
    /// Reads the AG News CSV files (<c>"class","title","description"</c>, no header, class 1–4, RFC 4180 quoting with
    /// doubled quotes, literal <c>\n</c> sequences inside text). Label is the class name (<see cref="AgNewsClasses"/>),
    /// Text is <c>title + " " + description</c> with <c>\n</c> / <c>\\</c> escapes turned into spaces / backslashes.
    /// </summary>
    public static IEnumerable<LabeledText> ReadAgNewsCsv(string path)
    {
        using TextReader reader = OpenText(path);
        int record = 0;
        foreach (List<string> fields in ReadCsvRecords(reader, path))
        {
            record++;
            if (fields.Count != 3)
                throw new InvalidDataException($"{path}, record {record}: expected 3 fields \"class\",\"title\",\"description\", found {fields.Count}.");
            if (!int.TryParse(fields[0], out int cls) || cls < 1 || cls > AgNewsClasses.Count)
                throw new InvalidDataException($"{path}, record {record}: class must be 1–{AgNewsClasses.Count}, found '{fields[0]}'.");
            string text = (Unescape(fields[1]) + " " + Unescape(fields[2])).Trim();
            yield return new LabeledText { Label = AgNewsClasses[cls - 1], Text = text };
        }
    }

    /// <summary>Loads <see cref="ReadTsv"/> into an <see cref="IDataView"/> (string columns Label, Text).</summary>
    public static IDataView LoadTsv(this DataOperationsCatalog catalog, string path, bool hasHeader = true, int labelColumn = 0, int textColumn = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.LoadFromEnumerable(ReadTsv(path, hasHeader, labelColumn, textColumn).ToList());
    }

    /// <summary>Loads <see cref="ReadAgNewsCsv"/> into an <see cref="IDataView"/> (string columns Label, Text).</summary>
    public static IDataView LoadAgNewsCsv(this DataOperationsCatalog catalog, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.LoadFromEnumerable(ReadAgNewsCsv(path).ToList());
    }

    private static TextReader OpenText(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Dataset file '{path}' does not exist.", path);
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream, Encoding.UTF8);
    }

    private static string Unescape(string s) => s.Replace("\\n", " ", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal).Trim();

    /// <summary>RFC 4180 records: comma-separated, fields optionally quoted, "" inside quotes is a quote, quoted fields may span lines.</summary>
    private static IEnumerable<List<string>> ReadCsvRecords(TextReader reader, string path)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool inQuotes = false, any = false;
        int line = 1;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            char ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { field.Append('"'); reader.Read(); }
                    else inQuotes = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"':
                    inQuotes = true;
                    any = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    line++;
                    if (any || field.Length > 0)
                    {
                        fields.Add(field.ToString());
                        yield return fields;
                        fields = new List<string>();
                        field.Clear();
                        any = false;
                    }
                    break;
                default:
                    field.Append(ch);
                    any = true;
                    break;
            }
        }
        if (inQuotes)
            throw new InvalidDataException($"{path}: unterminated quoted field at end of file (line {line}).");
        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            yield return fields;
        }
    }
}
