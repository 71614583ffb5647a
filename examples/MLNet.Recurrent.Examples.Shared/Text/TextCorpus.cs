using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace MLNet.Recurrent.Examples;

/// <summary>One paragraph of a document, as a training or held-out row (text ends with a newline).</summary>
public sealed record Paragraph(string Document, string Text);

/// <summary>
/// Text for a language model, cut into documents and paragraphs, with the last 10% of every document held out.
/// A file (plain or .gz): its documents are the novels of the bundled Austen text (a title line followed by "by Jane
/// Austen"), else the whole file is one document. A folder: every file under it is one document, a leading block of
/// e-mail headers ("From: …" up to the first blank line) left out — 20 Newsgroups' standard layout
/// (<c>20news-bydate-train/&lt;group&gt;/&lt;id&gt;</c>). Paragraphs are cut at blank lines, their wrapped lines joined with spaces.
/// </summary>
public static partial class TextCorpus
{
    /// <summary>Loads <paramref name="path"/> (a text file or a folder of documents) and splits every document.</summary>
    /// <exception cref="FileNotFoundException">Neither a file nor a folder.</exception>
    public static (List<Paragraph> Train, List<Paragraph> HeldOut, List<string> Documents) Load(string path, double heldOutFraction = 0.1)
    {
        if (Directory.Exists(path))
            return Split(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => (Path.GetRelativePath(path, f), WithoutMailHeaders(ReadAllText(f)).Split('\n'), 0)).ToList(), heldOutFraction);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such file or folder; expected a plain-text or .gz file, or a folder of documents (e.g. 20 Newsgroups' 20news-bydate-train).", path);
        string[] lines = ReadAllText(path).Replace("\r\n", "\n").Split('\n');
        return Split(FindDocuments(lines).Select(d => (d.Title, lines, d.Start)).ToList(), heldOutFraction);
    }

    /// <summary>
    /// At most <paramref name="characters"/> characters of <paramref name="paragraphs"/>, taken as evenly spaced runs of
    /// consecutive paragraphs so that every part of the text is represented; 0 keeps everything.
    /// </summary>
    public static List<Paragraph> Spread(List<Paragraph> paragraphs, int characters)
    {
        long total = paragraphs.Sum(p => (long)p.Text.Length);
        if (characters <= 0 || total <= characters)
            return paragraphs;
        const int runs = 20;
        var kept = new List<Paragraph>();
        long perRun = characters / runs;
        for (int r = 0; r < runs; r++)
        {
            long taken = 0;
            for (int i = (int)((long)paragraphs.Count * r / runs); i < paragraphs.Count && taken < perRun; i++)
            {
                kept.Add(paragraphs[i]);
                taken += paragraphs[i].Text.Length;
            }
        }
        return kept;
    }

    /// <summary>The text without a leading block of mail headers (a first line "Name: value", up to the first blank line).</summary>
    internal static string WithoutMailHeaders(string text)
    {
        text = text.Replace("\r\n", "\n");
        if (!HeaderLine().IsMatch(text))
            return text;
        int blank = text.IndexOf("\n\n", StringComparison.Ordinal);
        return blank < 0 ? "" : text[(blank + 2)..];
    }

    private static (List<Paragraph> Train, List<Paragraph> HeldOut, List<string> Documents) Split(List<(string Title, string[] Lines, int Start)> documents, double heldOutFraction)
    {
        var train = new List<Paragraph>();
        var heldOut = new List<Paragraph>();
        for (int d = 0; d < documents.Count; d++)
        {
            string[] lines = documents[d].Lines;
            int end = d + 1 < documents.Count && documents[d + 1].Lines == lines ? documents[d + 1].Start : lines.Length;
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

    [GeneratedRegex(@"^[A-Za-z-]+: ")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^\s*\(\d{4}\)\s*$")]
    private static partial Regex YearLine();
}
