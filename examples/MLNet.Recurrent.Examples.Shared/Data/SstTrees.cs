using System.Text;

namespace MLNet.Recurrent.Examples;

/// <summary>One sentence of the Stanford Sentiment Treebank: the fine label of its root (0–4) and its words.</summary>
/// <param name="FineLabel">0 very negative, 1 negative, 2 neutral, 3 positive, 4 very positive.</param>
/// <param name="Text">The leaves of the tree joined by spaces, PTB escapes (-LRB- …) undone.</param>
public sealed record SstSentence(int FineLabel, string Text)
{
    /// <summary>The three-class label: negative (0, 1), neutral (2) or positive (3, 4).</summary>
    public string Sentiment => SstTrees.Classes[FineLabel switch { < 2 => 0, 2 => 1, _ => 2 }];
}

/// <summary>
/// The Stanford Sentiment Treebank in its standard PTB-tree files (<c>trees/train.txt</c>, <c>dev.txt</c>, <c>test.txt</c>):
/// one sentence per line as a labelled binary tree, e.g. <c>(3 (2 It) (4 (2 's) (4 great)))</c>. The root's label is
/// the sentence's sentiment. Read by a small recursive-descent reader (no CSV library reads trees).
/// </summary>
public static class SstTrees
{
    /// <summary>The three classes, from the five fine labels.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["negative", "neutral", "positive"];

    /// <summary>Loads train, dev and test from <paramref name="folder"/> (SST's <c>trees</c> folder, or a folder holding it).</summary>
    public static TextDataSet Load(string folder)
    {
        string root = Directory.Exists(Path.Combine(folder, "trees")) ? Path.Combine(folder, "trees") : folder;
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"--data {folder}: no such folder; expected SST's trees folder with train.txt, dev.txt and test.txt.");
        List<TextSample> Split(string name) => Read(Path.Combine(root, name)).Select(s => new TextSample { Label = s.Sentiment, Text = s.Text }).ToList();
        return new TextDataSet($"Stanford Sentiment Treebank, 3 classes ({root})", Classes, Split("train.txt"), Split("dev.txt"), Split("test.txt"));
    }

    /// <summary>Reads every tree of a PTB-tree file (blank lines are skipped).</summary>
    /// <exception cref="InvalidDataException">A line that is not one well-formed tree (the message names file, line and column).</exception>
    public static List<SstSentence> Read(string path)
    {
        using TextReader reader = DataFiles.OpenText(path, "SST trees in PTB form, one per line, e.g. (3 (2 It) (4 great))");
        var sentences = new List<SstSentence>();
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Trim().Length == 0)
                continue;
            try
            {
                sentences.Add(Parse(line));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: {e.Message}", e);
            }
        }
        return sentences;
    }

    /// <summary>Parses one tree.</summary>
    /// <exception cref="FormatException">Not one well-formed tree with labels 0–4.</exception>
    public static SstSentence Parse(string tree)
    {
        var words = new List<string>();
        int position = 0;
        int label = ReadTree(tree, ref position, words);
        SkipSpace(tree, ref position);
        if (position != tree.Length)
            throw new FormatException($"column {position + 1}: text after the end of the tree.");
        return new SstSentence(label, string.Join(' ', words));
    }

    private static int ReadTree(string s, ref int i, List<string> words)
    {
        SkipSpace(s, ref i);
        Expect(s, ref i, '(');
        string labelText = ReadToken(s, ref i);
        if (labelText.Length != 1 || labelText[0] is < '0' or > '4')
            throw new FormatException($"column {i + 1 - labelText.Length}: expected a sentiment label 0–4, found '{labelText}'.");
        SkipSpace(s, ref i);
        if (i < s.Length && s[i] == '(')
        {
            while (i < s.Length && s[i] == '(')
            {
                ReadTree(s, ref i, words);
                SkipSpace(s, ref i);
            }
        }
        else
        {
            string word = ReadToken(s, ref i);
            if (word.Length == 0)
                throw new FormatException($"column {i + 1}: expected a word or a subtree.");
            words.Add(Unescape(word));
            SkipSpace(s, ref i);
        }
        Expect(s, ref i, ')');
        return labelText[0] - '0';
    }

    private static string ReadToken(string s, ref int i)
    {
        SkipSpace(s, ref i);
        var token = new StringBuilder();
        while (i < s.Length && s[i] is not ('(' or ')') && !char.IsWhiteSpace(s[i]))
            token.Append(s[i++]);
        return token.ToString();
    }

    private static void Expect(string s, ref int i, char c)
    {
        if (i >= s.Length)
            throw new FormatException($"column {i + 1}: the line ends before the tree is closed (expected '{c}').");
        if (s[i] != c)
            throw new FormatException($"column {i + 1}: expected '{c}', found '{s[i]}'.");
        i++;
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
            i++;
    }

    private static string Unescape(string word) => word switch
    {
        "-LRB-" => "(",
        "-RRB-" => ")",
        "-LSB-" => "[",
        "-RSB-" => "]",
        "-LCB-" => "{",
        "-RCB-" => "}",
        _ => word.Replace("\\/", "/", StringComparison.Ordinal).Replace("\\*", "*", StringComparison.Ordinal),
    };
}
