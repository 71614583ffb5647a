using System.Text;
using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class TokenCodecTests
{
    private readonly MLContext _ml = new(seed: 1);

    public TestContext TestContext { get; set; } = null!;

    private TokenCodec Codec(TokenizerOptions options, params string[] texts) =>
        _ml.Transforms.Text.TokenizeToIds("Ids", "Text", options).Fit(TestData.Texts(_ml, texts)).Codec;

    [TestMethod]
    public void WordDecodeJoinsWordsWithSpacesAndAttachesPunctuation()
    {
        var codec = Codec(new TokenizerOptions { KeepPunctuation = true, AddBeginningOfSequence = true, AddEndOfSequence = true },
            "Well, (I think) it is so; isn't it? Yes!");
        int[] ids = codec.Encode("Well, (I think) it is so; isn't it? Yes!");
        Assert.AreEqual(codec.Vocabulary.BeginningOfSequenceId, ids[0]);
        Assert.AreEqual(codec.Vocabulary.EndOfSequenceId, ids[^1]);
        Assert.AreEqual("well, (i think) it is so; isn't it? yes!", codec.Decode(ids));
    }

    [TestMethod]
    public void DecodeSkipsPaddingAndMarkersAndWritesUnknownAsUnk()
    {
        var codec = Codec(new TokenizerOptions { AddEndOfSequence = true }, "marianne sings");
        int[] ids = [0, 0, .. codec.Encode("Marianne dances, sings")];
        Assert.AreEqual("marianne <unk> sings", codec.Decode(ids));
        CollectionAssert.AreEqual(codec.Encode("marianne sings").SkipLast(1).ToArray(), codec.Encode("marianne sings", addSequenceMarkers: false));
    }

    [TestMethod]
    public void CharacterDecodeConcatenatesCharacters()
    {
        var codec = Codec(new TokenizerOptions { Mode = TokenizerMode.Character }, "Hello, world😀\nhi");
        const string text = "low, role😀\nhello";
        Assert.AreEqual(text, codec.Decode(codec.Encode(text)));
    }

    [TestMethod]
    public void DecodeRejectsIdsOutsideTheVocabulary()
    {
        var codec = Codec(new TokenizerOptions(), "a b");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => codec.Decode([2, 4]));
        StringAssert.Contains(e.Message, "0..3");
    }

    [TestMethod]
    [DataRow(TokenizerMode.Word)]
    [DataRow(TokenizerMode.Character)]
    public void BytesRoundTripGivesAnEquivalentCodec(TokenizerMode mode)
    {
        var codec = Codec(new TokenizerOptions { Mode = mode, AddBeginningOfSequence = true, Lowercase = mode == TokenizerMode.Word ? false : null },
            "Sense and Sensibility", "Pride and Prejudice 😀");
        TokenCodec copy = TokenCodec.FromBytes(codec.ToBytes());
        const string probe = "Sense and Prejudice, unseen 😀";
        Assert.AreEqual(mode, copy.Mode);
        Assert.IsTrue(copy.AddsBeginningOfSequence);
        Assert.IsFalse(copy.AddsEndOfSequence);
        CollectionAssert.AreEqual(codec.Vocabulary.ToArray(), copy.Vocabulary.ToArray());
        CollectionAssert.AreEqual(codec.Encode(probe), copy.Encode(probe));
        Assert.AreEqual(codec.Decode(codec.Encode(probe)), copy.Decode(copy.Encode(probe)));
    }

    [TestMethod]
    public void PretrainedCodecBytesContainTheTokenizerData()
    {
        string path = TestData.TempPath(TestContext, "wp-vocab.txt");
        File.WriteAllLines(path, ["[UNK]", "pride", "prejudice", "and"]);
        var codec = Codec(new TokenizerOptions { Mode = TokenizerMode.Pretrained, Pretrained = PretrainedTokenizer.WordPiece(path) });
        File.Delete(path);
        TokenCodec copy = TokenCodec.FromBytes(codec.ToBytes());
        CollectionAssert.AreEqual(new[] { 3, 5, 4 }, copy.Encode("pride and prejudice"));
        Assert.AreEqual("pride and prejudice", copy.Decode([3, 5, 4]));
    }

    [TestMethod]
    public void FromBytesRejectsForeignTruncatedAndNewerDataWithInvalidDataException()
    {
        byte[] bytes = Codec(new TokenizerOptions(), "some training words").ToBytes();

        var foreign = Assert.ThrowsExactly<InvalidDataException>(() => TokenCodec.FromBytes(Encoding.UTF8.GetBytes("PK\u0003\u0004 not a codec")));
        StringAssert.Contains(foreign.Message, "token codec");

        for (int length = 0; length < bytes.Length; length += 7)
        {
            var truncated = Assert.ThrowsExactly<InvalidDataException>(() => TokenCodec.FromBytes(bytes.AsSpan(0, length)), $"length {length}");
            StringAssert.Contains(truncated.Message, "TokenizeToIds");
        }

        byte[] newer = (byte[])bytes.Clone();
        newer[4] = 99; // format version
        var version = Assert.ThrowsExactly<InvalidDataException>(() => TokenCodec.FromBytes(newer));
        StringAssert.Contains(version.Message, "format version 99");
    }

    [TestMethod]
    public void CorruptedPretrainedDataFailsWithInvalidDataExceptionNamingThePretrainedTokenizer()
    {
        string dir = Directory.CreateDirectory(TestData.TempPath(TestContext, "bpe-corrupt")).FullName;
        File.WriteAllText(Path.Combine(dir, "vocab.json"), """{"a":0,"b":1,"ab":2}""");
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "a b\n");
        var codec = Codec(new TokenizerOptions
        {
            Mode = TokenizerMode.Pretrained,
            Pretrained = PretrainedTokenizer.Bpe(Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt")),
        });
        byte[] bytes = codec.ToBytes();
        int json = bytes.AsSpan().IndexOf("{\"a\""u8);
        Assert.IsTrue(json > 0);
        bytes[json] = (byte)'#';
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TokenCodec.FromBytes(bytes));
        StringAssert.Contains(e.Message, "pretrained tokenizer");
    }

    [TestMethod]
    public void SpanTokenMapFindsEveryTokenOfALargeVocabularyKeepsFirstIdOfRepeatsAndMissesOthers()
    {
        string[] tokens = [.. Enumerable.Range(0, 20_000).Select(i => "w" + i.ToString("x")), "w0", ""];
        var map = new SpanTokenMap(tokens);
        for (int id = 0; id < 20_000; id++)
            Assert.AreEqual(id, map.Find(tokens[id].AsSpan(), missing: -1), tokens[id]);
        Assert.AreEqual(0, map.Find("w0", -1), "a repeated token keeps its first id");
        Assert.AreEqual(20_001, map.Find("", -1));
        Assert.AreEqual(-1, map.Find("w", -1));
        Assert.AreEqual(-1, map.Find("W0", -1));
        Assert.AreEqual(-1, map.Find("w100000", -1));
    }

    [TestMethod]
    public void SpanTokenMapFindsTokensInsideATextWhateverTheirLengthPositionOrSharedPrefix()
    {
        // Short tokens are matched on their masked first eight chars and length, read in place from the text; longer ones
        // compare the whole string. Tokens sharing eight chars, differing only by a trailing NUL, or sitting at the end of
        // the text must all resolve to their own id.
        string[] tokens = ["abcdefgh", "abcdefghi", "abcdefghij", "abcdefgh\0", "a", "a\0", "ab", "abcd", "abcde", "zzzzzzzzzzzzzzzzzzzzz", "é’"];
        var map = new SpanTokenMap(tokens);
        string text = "  " + string.Join(" ", tokens) + "abcdefgh";
        int position = 2;
        for (int id = 0; id < tokens.Length; id++)
        {
            Assert.AreEqual(id, map.Find(text, position, tokens[id].Length, -1), $"'{tokens[id]}' in place");
            Assert.AreEqual(id, map.Find(tokens[id], -1), $"'{tokens[id]}' as a span");
            position += tokens[id].Length + 1;
        }
        Assert.AreEqual(0, map.Find(text, text.Length - 8, 8, -1), "a token at the very end of the text");
        Assert.AreEqual(4, map.Find(text, text.Length - 8, 1, -1));
        Assert.AreEqual(-1, map.Find(text, text.Length - 8, 3, -1), "'abc' is not in the vocabulary");
        Assert.AreEqual(-1, map.Find(text, 0, 2, -1), "two spaces are not in the vocabulary");
        Assert.AreEqual(-1, map.Find("abcdefghik", -1), "shares nine chars with a token");
    }
}
