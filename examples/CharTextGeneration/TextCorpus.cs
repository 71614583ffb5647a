using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace CharTextGeneration;

/// <summary>One paragraph of a document, as a training or held-out row (text ends with a newline).</summary>
internal sealed record Paragraph(string Document, string Text);

/// <summary>
/// Reads a plain-text (or .gz) file, finds the documents in it (the novels of the bundled Austen text: a title line
/// followed by "by Jane Austen"; any other text is one document), cuts each document into paragraphs at blank lines
/// (a paragraph's wrapped lines are joined with spaces) and holds out the last 10% of every document.
/// </summary>
internal static partial class TextCorpus
{
    public static (List<Paragraph> Train, List<Paragraph> HeldOut, List<string> Documents) Load(string path, double heldOutFraction = 0.1)
    {
        string[] lines = ReadAllText(path).Replace("\r\n", "\n").Split('\n');
        List<(string Title, int Start)> documents = FindDocuments(lines);
        var train = new List<Paragraph>();
        var heldOut = new List<Paragraph>();
        for (int d = 0; d < documents.Count; d++)
        {
            int end = d + 1 < documents.Count ? documents[d + 1].Start : lines.Length;
            List<string> paragraphs = Paragraphs(lines, documents[d].Start, end);
            long total = paragraphs.Sum(p => (long)p.Length), seen = 0;
            foreach (string p in paragraphs)
            {
                (seen < (1 - heldOutFraction) * total ? train : heldOut).Add(new Paragraph(documents[d].Title, p));
                seen += p.Length;
            }
        }
        return (train, heldOut, documents.Select(d => d.Title).ToList());
    }

    private static string ReadAllText(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Documents start at a title line followed (within a few lines of "by", blanks or "(year)") by a "by Jane Austen" line.</summary>
    private static List<(string Title, int Start)> FindDocuments(string[] lines)
    {
        var starts = new List<(string, int)>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!AuthorLine().IsMatch(lines[i]))
                continue;
            int t = i - 1;
            while (t >= 0 && i - t <= 8 && (lines[t].Trim().Length == 0 || lines[t].Trim().Equals("by", StringComparison.OrdinalIgnoreCase) || YearLine().IsMatch(lines[t])))
                t--;
            if (t >= 0 && i - t <= 8 && (starts.Count == 0 || starts[^1].Item2 < t))
                starts.Add((lines[t].Trim(), t));
        }
        if (starts.Count == 0)
            return new() { ("text", 0) };
        if (starts[0].Item2 > 0)
            starts[0] = (starts[0].Item1, 0);
        return starts;
    }

    private static List<string> Paragraphs(string[] lines, int start, int end)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        for (int i = start; i <= end; i++)
        {
            string line = i < end ? lines[i].TrimEnd() : "";
            if (line.Length == 0)
            {
                if (current.Length > 0)
                {
                    result.Add(current.Append('\n').ToString());
                    current.Clear();
                }
                continue;
            }
            if (current.Length > 0)
                current.Append(' ');
            current.Append(line);
        }
        return result;
    }

    [GeneratedRegex(@"^\s*(by\s+)?Jane Austen\b", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorLine();

    [GeneratedRegex(@"^\s*\(\d{4}\)\s*$")]
    private static partial Regex YearLine();
}
