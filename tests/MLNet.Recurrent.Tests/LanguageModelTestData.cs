using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Tests;

/// <summary>A row of the test data: token ids (variable-length Int32 vector) and the text they came from.</summary>
public sealed class TokenRow
{
    public int[] Tokens { get; set; } = Array.Empty<int>();

    public string Text { get; set; } = "";
}

/// <summary>The language-model output columns, for PredictionEngine.</summary>
public sealed class LanguageModelScore
{
    public float LogLikelihood { get; set; }

    public int TokenCount { get; set; }

    public float Perplexity { get; set; }
}

/// <summary>
/// A character codec standing in for TokenizeToIds in these tests, so a test can fix the ids: id 0 = &lt;pad&gt;,
/// 1 = &lt;unk&gt;, optionally 2 = &lt;bos&gt;, then one id per character of the alphabet in order. It is the library's own
/// <see cref="TokenCodec"/> (built from that vocabulary), so its "TokenizerModel" annotation is the real format.
/// </summary>
internal sealed class TestCharCodec
{
    public TestCharCodec(string alphabet, bool beginningOfSequence = false)
    {
        var tokens = new List<string> { "<pad>", "<unk>" };
        if (beginningOfSequence)
            tokens.Add("<bos>");
        tokens.AddRange(alphabet.Distinct().Select(c => c.ToString()));
        Tokens = tokens.ToArray();
        Codec = TokenCodec.FromVocabulary(Tokens);
        Assert.AreEqual(TokenizerMode.Character, Codec.Mode);
    }

    public TokenCodec Codec { get; }

    public string[] Tokens { get; }

    public int VocabularySize => Tokens.Length;

    public int? BeginningOfSequenceId => Codec.Vocabulary.BeginningOfSequenceId;

    public int[] Encode(string text) => Codec.Encode(text, addSequenceMarkers: false);

    public string Decode(ReadOnlySpan<int> ids) => Codec.Decode(ids);

    public byte[] ToBytes() => Codec.ToBytes();
}

internal static class LanguageModelTestData
{
    /// <summary><paramref name="count"/> rows of the repeating "abc…" pattern, random phase, length <paramref name="length"/>.</summary>
    public static string[] Repeating(string period, int count, int length, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int phase = rng.Next(period.Length);
            return new string(Enumerable.Range(0, length).Select(i => period[(phase + i) % period.Length]).ToArray());
        }).ToArray();
    }

    /// <summary>
    /// An IDataView of <paramref name="texts"/> tokenized by <paramref name="codec"/>, with the "Vocabulary" annotation and,
    /// when <paramref name="withTokenizerModel"/>, the "TokenizerModel" annotation.
    /// </summary>
    public static IDataView Load(MLContext ml, TestCharCodec codec, IEnumerable<string> texts, bool withTokenizerModel = true)
    {
        var rows = texts.Select(t => new TokenRow
        {
            Tokens = (codec.BeginningOfSequenceId is int bos ? new[] { bos } : Array.Empty<int>()).Concat(codec.Encode(t)).ToArray(),
            Text = t,
        }).ToList();
        var definition = SchemaDefinition.Create(typeof(TokenRow));
        var tokens = definition[nameof(TokenRow.Tokens)];
        tokens.ColumnType = new VectorDataViewType(NumberDataViewType.Int32);
        var vocabulary = new VBuffer<ReadOnlyMemory<char>>(codec.VocabularySize, codec.Tokens.Select(t => t.AsMemory()).ToArray());
        tokens.AddAnnotation("Vocabulary", vocabulary, new VectorDataViewType(TextDataViewType.Instance, codec.VocabularySize));
        if (withTokenizerModel)
        {
            byte[] bytes = codec.ToBytes();
            tokens.AddAnnotation("TokenizerModel", new VBuffer<byte>(bytes.Length, bytes), new VectorDataViewType(NumberDataViewType.Byte, bytes.Length));
        }
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>Small, fast settings for tests.</summary>
    public static LanguageModelOptions TinyOptions(RecurrentCell cell = RecurrentCell.Lstm) => new()
    {
        Cell = cell,
        EmbeddingSize = 8,
        HiddenSize = 32,
        NumberOfLayers = 1,
        Dropout = 0,
        SequenceLength = 16,
        BatchSize = 16,
        NumberOfEpochs = 30,
        LearningRate = 0.02,
        Device = "cpu",
        Seed = 1,
    };
}
