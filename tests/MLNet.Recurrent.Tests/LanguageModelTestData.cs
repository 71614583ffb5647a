using System.Text;
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
/// A minimal character codec standing in for TokenizeToIds in these tests: id 0 = &lt;pad&gt;, 1 = &lt;unk&gt;,
/// optionally 2 = &lt;bos&gt;, then one id per character. It serializes itself for the "TokenizerModel" annotation and
/// registers its reader with <see cref="TokenCodecAdapter"/>.
/// </summary>
internal sealed class TestCharCodec : ITokenCodec
{
    private static readonly byte[] Magic = "TCC1"u8.ToArray();
    private readonly Dictionary<char, int> ids = new();

    public TestCharCodec(string alphabet, bool beginningOfSequence = false)
    {
        var tokens = new List<string> { "<pad>", "<unk>" };
        if (beginningOfSequence)
            tokens.Add("<bos>");
        foreach (char c in alphabet.Distinct())
        {
            ids[c] = tokens.Count;
            tokens.Add(c.ToString());
        }
        Tokens = tokens.ToArray();
        BeginningOfSequenceId = beginningOfSequence ? 2 : null;
    }

    static TestCharCodec() => TokenCodecAdapter.TokenizerModelReader = FromBytes;

    public string[] Tokens { get; }

    public int VocabularySize => Tokens.Length;

    public int? BeginningOfSequenceId { get; }

    public int? EndOfSequenceId => null;

    public int[] Encode(string text) => text.Select(c => ids.TryGetValue(c, out int id) ? id : 1).ToArray();

    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            if (id > 1 && id != BeginningOfSequenceId)
                sb.Append(Tokens[id]);
            else if (id == 1)
                sb.Append('?');
        }
        return sb.ToString();
    }

    public byte[] ToBytes()
    {
        string alphabet = string.Concat(Tokens.Skip(BeginningOfSequenceId is null ? 2 : 3));
        return Magic.Concat(new[] { (byte)(BeginningOfSequenceId is null ? 0 : 1) }).Concat(Encoding.UTF8.GetBytes(alphabet)).ToArray();
    }

    public static TestCharCodec FromBytes(byte[] bytes)
    {
        if (bytes.Length < 5 || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
            throw new InvalidDataException("not a test codec");
        return new TestCharCodec(Encoding.UTF8.GetString(bytes, 5, bytes.Length - 5), bytes[4] == 1);
    }
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
