using Microsoft.ML;
using MLNet.Recurrent;

namespace MLNet.Recurrent.Examples;

/// <summary>A row of raw text for the tokenizer.</summary>
internal sealed class TextRow
{
    public string Text { get; set; } = "";
}

/// <summary>
/// The example's character tokenizer: MLNet.Recurrent's <c>TokenizeToIds</c> in Character mode (case kept), learned on the
/// training paragraphs — id 0 = &lt;pad&gt;, 1 = &lt;unk&gt; (characters not seen in training), then one id per character,
/// most frequent first. Its "Tokens" column carries the "Vocabulary" and "TokenizerModel" annotations, so the language
/// model can encode prompts and decode what it generates, also after the model zip is reloaded.
/// </summary>
public sealed class CharTokenizer
{
    private readonly TokenizeToIdsTransformer transformer;

    private CharTokenizer(TokenizeToIdsTransformer transformer)
    {
        this.transformer = transformer;
        Tokens = transformer.Vocabulary.ToArray();
    }

    /// <summary>Token text by id.</summary>
    public string[] Tokens { get; }

    public int VocabularySize => Tokens.Length;

    /// <summary>Learns the characters of <paramref name="texts"/> (one streaming pass).</summary>
    public static CharTokenizer Learn(MLContext ml, IEnumerable<string> texts)
    {
        IDataView data = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));
        var estimator = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", new TokenizerOptions { Mode = TokenizerMode.Character });
        return new CharTokenizer(estimator.Fit(data));
    }

    public int[] Encode(string text) => transformer.Codec.Encode(text, addSequenceMarkers: false);

    /// <summary>An IDataView with the columns "Text" and "Tokens" (variable-length Int32 character ids).</summary>
    public IDataView Tokenize(MLContext ml, IEnumerable<Paragraph> paragraphs) =>
        transformer.Transform(ml.Data.LoadFromEnumerable(paragraphs.Select(p => new TextRow { Text = p.Text }).ToList()));
}
