namespace MLNet.Recurrent.Examples;

/// <summary>
/// The IMDB large movie review set in its standard folder layout (<c>aclImdb/train/pos</c>, <c>train/neg</c>,
/// <c>test/pos</c>, <c>test/neg</c>; one review per <c>id_rating.txt</c> file). Classes: neg, pos (positive).
/// The HTML line breaks (<c>&lt;br /&gt;</c>) in the reviews become spaces.
/// </summary>
public static class ImdbReviews
{
    /// <summary>Class names; the second is the positive class.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["neg", "pos"];

    /// <summary>Loads the reviews under <paramref name="folder"/> (the aclImdb folder, or a folder holding it).</summary>
    /// <exception cref="DirectoryNotFoundException">A split or class folder is missing (the message names it).</exception>
    public static TextDataSet Load(string folder)
    {
        string root = Directory.Exists(Path.Combine(folder, "aclImdb")) ? Path.Combine(folder, "aclImdb") : folder;
        return new TextDataSet($"IMDB movie reviews ({root})", Classes, ReadSplit(root, "train"), [], ReadSplit(root, "test"));
    }

    /// <summary>The reviews of one split (<c>train</c> or <c>test</c>), negative ones first, each in file-name order.</summary>
    public static List<TextSample> ReadSplit(string root, string split)
    {
        var rows = new List<TextSample>();
        foreach (string label in Classes)
        {
            string dir = Path.Combine(root, split, label);
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException($"{dir} does not exist; --data must be IMDB's aclImdb folder, with train/pos, train/neg, test/pos and test/neg holding one review per .txt file.");
            foreach (string file in Directory.EnumerateFiles(dir, "*.txt").Order(StringComparer.Ordinal))
                rows.Add(new TextSample { Label = label, Text = File.ReadAllText(file).Replace("<br />", " ", StringComparison.Ordinal).Trim() });
        }
        return rows;
    }
}
