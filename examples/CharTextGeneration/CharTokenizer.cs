using Microsoft.ML;
using Microsoft.ML.Data;

namespace CharTextGeneration;

/// <summary>A row of the tokenized data: the paragraph text and its character ids.</summary>
internal sealed class TextRow
{
    public string Text { get; set; } = "";

    public int[] Tokens { get; set; } = Array.Empty<int>();
}

/// <summary>
/// The example's character tokenizer: id 0 = &lt;pad&gt;, 1 = &lt;unk&gt; (characters not seen in training), then one id per
/// training character, most frequent first — the token-id column contract of MLNet.Recurrent. <see cref="Tokenize"/>
/// is the one place to switch to <c>mlContext.Transforms.Text.TokenizeToIds(..., Character mode)</c>; everything else
/// reads the "Tokens" column and its "Vocabulary" annotation.
/// </summary>
internal sealed class CharTokenizer
{
    private readonly Dictionary<char, int> ids = new();

    private CharTokenizer(IEnumerable<char> characters)
    {
        var tokens = new List<string> { "<pad>", "<unk>" };
        foreach (char c in characters)
        {
            ids[c] = tokens.Count;
            tokens.Add(c.ToString());
        }
        Tokens = tokens.ToArray();
    }

    /// <summary>Token text by id.</summary>
    public string[] Tokens { get; }

    public int VocabularySize => Tokens.Length;

    /// <summary>Learns the characters of <paramref name="texts"/>, most frequent first.</summary>
    public static CharTokenizer Learn(IEnumerable<string> texts)
    {
        var counts = new Dictionary<char, long>();
        foreach (string text in texts)
            foreach (char c in text)
                counts[c] = counts.GetValueOrDefault(c) + 1;
        return new CharTokenizer(counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Select(kv => kv.Key));
    }

    public int[] Encode(string text) => text.Select(c => ids.TryGetValue(c, out int id) ? id : 1).ToArray();

    /// <summary>
    /// An IDataView with the columns "Text" and "Tokens" (variable-length Int32 ids carrying the "Vocabulary" annotation,
    /// so the language model can encode prompts and decode what it generates).
    /// </summary>
    public IDataView Tokenize(MLContext ml, IEnumerable<Paragraph> paragraphs)
    {
        var rows = paragraphs.Select(p => new TextRow { Text = p.Text, Tokens = Encode(p.Text) }).ToList();
        var definition = SchemaDefinition.Create(typeof(TextRow));
        var tokens = definition[nameof(TextRow.Tokens)];
        tokens.ColumnType = new VectorDataViewType(NumberDataViewType.Int32);
        var vocabulary = new VBuffer<ReadOnlyMemory<char>>(Tokens.Length, Tokens.Select(t => t.AsMemory()).ToArray());
        tokens.AddAnnotation("Vocabulary", vocabulary, new VectorDataViewType(TextDataViewType.Instance, Tokens.Length));
        return ml.Data.LoadFromEnumerable(rows, definition);
    }
}
