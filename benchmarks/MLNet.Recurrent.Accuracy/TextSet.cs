using System.Text.Json.Nodes;

namespace MLNet.Recurrent.Accuracy;

/// <summary>
/// One text of the language-model suite, as benchmarks/lm/build_texts.py writes it: <c>train.txt</c> and
/// <c>heldout.txt</c> (UTF-8, one paragraph per line, each line ending in a newline; the held-out text continues where
/// the training text ends) and <c>meta.json</c>.
/// </summary>
internal sealed class TextSet(string name, string folder, string[] train, string[] heldOut, JsonObject meta)
{
    public string Name { get; } = name;

    public string Folder { get; } = folder;

    /// <summary>The training paragraphs, each with its newline.</summary>
    public IReadOnlyList<string> Train { get; } = train;

    /// <summary>The held-out paragraphs, each with its newline.</summary>
    public IReadOnlyList<string> HeldOut { get; } = heldOut;

    public JsonObject Meta { get; } = meta;

    public string TrainPath => Path.Combine(Folder, "train.txt");

    public string HeldOutPath => Path.Combine(Folder, "heldout.txt");

    /// <summary>Characters (Unicode scalar values, newlines included) of the training text.</summary>
    public long TrainCharacters => Characters(Train);

    /// <summary>Characters (Unicode scalar values, newlines included) of the held-out text.</summary>
    public long HeldOutCharacters => Characters(HeldOut);

    public static TextSet Open(string folder)
    {
        folder = Path.GetFullPath(folder);
        string name = Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar));
        foreach (string file in new[] { "train.txt", "heldout.txt", "meta.json" })
            if (!File.Exists(Path.Combine(folder, file)))
                throw new FileNotFoundException($"{folder} has no {file}; build the texts with benchmarks/lm/build_texts.py.", Path.Combine(folder, file));
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "meta.json"))) as JsonObject
            ?? throw new InvalidDataException($"{Path.Combine(folder, "meta.json")} is not a JSON object.");
        string[] train = Paragraphs(Path.Combine(folder, "train.txt")), heldOut = Paragraphs(Path.Combine(folder, "heldout.txt"));
        if (train.Length == 0 || heldOut.Length == 0)
            throw new InvalidDataException($"{folder}: train.txt has {train.Length} and heldout.txt {heldOut.Length} paragraphs; both need text.");
        return new TextSet(name, folder, train, heldOut, meta);
    }

    /// <summary>The file's lines, each with the newline that ends it (a last line without one gets none).</summary>
    private static string[] Paragraphs(string path)
    {
        string text = File.ReadAllText(path, System.Text.Encoding.UTF8);
        var lines = new List<string>();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return [.. lines];
    }

    private static long Characters(IEnumerable<string> lines) => lines.Sum(l => (long)l.EnumerateRunes().Count());
}
