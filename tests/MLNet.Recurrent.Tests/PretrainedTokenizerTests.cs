using Microsoft.ML;
using Microsoft.ML.Tokenizers;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class PretrainedTokenizerTests
{
    private const string AustenLine = "Elinor, this eldest daughter, whose advice was so effectual, possessed a strength of understanding.";
    private static readonly Lazy<PretrainedTokenizer> Cl100k = new(() => PretrainedTokenizer.Tiktoken("cl100k_base"));

    private readonly MLContext _ml = new(seed: 1);

    public TestContext TestContext { get; set; } = null!;

    private TokenizeToIdsTransformer Fit(PretrainedTokenizer pretrained, bool bos = false, int? maximumLength = null) =>
        _ml.Transforms.Text.TokenizeToIds("Ids", "Text", new TokenizerOptions
        {
            Mode = TokenizerMode.Pretrained,
            Pretrained = pretrained,
            AddBeginningOfSequence = bos,
            MaximumLength = maximumLength,
        }).Fit(TestData.Texts(_ml));

    [TestMethod]
    public void TiktokenCl100kIdsAreTheTokenizersOwnIdsShiftedPastTheReservedIds()
    {
        var reference = TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var model = Fit(Cl100k.Value, bos: true);
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, AustenLine)))[0];

        int[] expected = [2, .. reference.EncodeToIds(AustenLine).Select(id => id + 3)];
        CollectionAssert.AreEqual(expected, ids);
        Assert.AreEqual(TokenizerMode.Pretrained, model.Mode);
        Assert.AreEqual(Cl100k.Value.VocabularySize + 3, model.Vocabulary.Count);
        Assert.IsTrue(model.Vocabulary.Count > 100_000);
        Assert.IsTrue(ids.All(id => id < model.Vocabulary.Count));
        Assert.AreEqual("<bos>", model.Vocabulary[2]);
        Assert.AreEqual(AustenLine, string.Concat(ids.Skip(1).Select(model.Vocabulary.GetToken)));
        Assert.AreEqual(AustenLine, model.Codec.Decode(ids));
    }

    [TestMethod]
    public void TiktokenMaximumLengthStopsAfterTheFirstTokens()
    {
        var reference = TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var model = Fit(Cl100k.Value, maximumLength: 3);
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, AustenLine)))[0];
        CollectionAssert.AreEqual(reference.EncodeToIds(AustenLine).Take(3).Select(id => id + 2).ToArray(), ids);
        Assert.IsTrue(AustenLine.StartsWith(model.Codec.Decode(ids), StringComparison.Ordinal));
    }

    [TestMethod]
    public void TiktokenModelSavesItsDataInTheZipAndReloadsWithIdenticalOutput()
    {
        IDataView data = TestData.Texts(_ml, AustenLine, "", "<|endoftext|> and more");
        var model = Fit(Cl100k.Value);
        int[][] expected = TestData.ReadIds(model.Transform(data));
        string path = TestData.TempPath(TestContext, "tiktoken.zip");
        ITransformer loaded = TestData.SaveAndLoad(_ml, model, data.Schema, path);
        TestData.AssertRows(expected, TestData.ReadIds(loaded.Transform(data)));
        var engine = _ml.Model.CreatePredictionEngine<TextRow, IdsRow>(loaded);
        CollectionAssert.AreEqual(expected[0], engine.Predict(new TextRow { Text = AustenLine }).Ids);
    }

    [TestMethod]
    public void BpeModelFromVocabAndMergesFilesStillLoadsAfterTheFilesAreDeleted()
    {
        string dir = Directory.CreateDirectory(TestData.TempPath(TestContext, "bpe")).FullName;
        string vocab = Path.Combine(dir, "vocab.json"), merges = Path.Combine(dir, "merges.txt");
        File.WriteAllText(vocab, """{"[UNK]":0,"a":1,"b":2,"c":3,"d":4,"ab":5,"abc":6}""");
        File.WriteAllText(merges, "#version: 0.2\na b\nab c\n");
        var model = Fit(PretrainedTokenizer.Bpe(vocab, merges, unknownToken: "[UNK]"));
        IDataView data = TestData.Texts(_ml, "abc ab d", "abz");
        int[][] expected = [[8, 7, 6], [7, 2]]; // abc=6, ab=5, d=4, z -> [UNK]=0; all + 2
        TestData.AssertRows(expected, TestData.ReadIds(model.Transform(data)));

        string path = TestData.TempPath(TestContext, "bpe.zip");
        _ml.Model.Save(model, data.Schema, path);
        Directory.Delete(dir, recursive: true);
        ITransformer loaded = new MLContext().Model.Load(path, out _);
        TestData.AssertRows(expected, TestData.ReadIds(loaded.Transform(data)));
        Assert.AreEqual("abc", ((TokenizeToIdsTransformer)loaded).Vocabulary[8]);
    }

    [TestMethod]
    public void WordPieceSplitsIntoSubwordsAndMapsItsUnknownTokenIntoTheSharedIdSpace()
    {
        string path = TestData.TempPath(TestContext, "vocab.txt");
        File.WriteAllLines(path, ["[UNK]", "the", "sun", "##shine", "##s", "rise"]);
        var model = Fit(PretrainedTokenizer.WordPiece(path));
        File.Delete(path);
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, "the sunshine rises moon")))[0];
        CollectionAssert.AreEqual(new[] { 3, 4, 5, 7, 6, 2 }, ids);
        Assert.AreEqual(8, model.Vocabulary.Count);
        Assert.AreEqual("##shine", model.Vocabulary[5]);
        Assert.AreEqual("the sunshine rises [UNK]", model.Codec.Decode(ids));
    }

    [TestMethod]
    public void BertLowercasesAndMapsWordsThroughItsVocabularyWithoutAddingClsSep()
    {
        string path = TestData.TempPath(TestContext, "bert-vocab.txt");
        File.WriteAllLines(path, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "sense", "and", "sensibility"]);
        var model = Fit(PretrainedTokenizer.Bert(path));
        int[] ids = TestData.ReadIds(model.Transform(TestData.Texts(_ml, "Sense and SENSIBILITY")))[0];
        CollectionAssert.AreEqual(new[] { 7, 8, 9 }, ids);
    }

    [TestMethod]
    public void SentencePieceBpeModelMatchesTheLibraryAndStillLoadsAfterTheFileIsDeleted()
    {
        string path = TestData.TempPath(TestContext, "tiny.model");
        File.WriteAllBytes(path, TinySentencePieceModel.Bytes());
        SentencePieceTokenizer reference;
        using (var stream = File.OpenRead(path))
            reference = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        var model = Fit(PretrainedTokenizer.SentencePiece(path));
        File.Delete(path);

        IDataView data = TestData.Texts(_ml, "ab c abc", "cab");
        int[][] expected = [.. new[] { "ab c abc", "cab" }.Select(t => reference.EncodeToIds(t).Select(id => id + 2).ToArray())];
        Assert.IsTrue(expected[0].Length >= 3, "the reference tokenizer should split the text");
        TestData.AssertRows(expected, TestData.ReadIds(model.Transform(data)));
        Assert.AreEqual("ab c abc", model.Codec.Decode(expected[0]));

        string zip = TestData.TempPath(TestContext, "sentencepiece.zip");
        ITransformer loaded = TestData.SaveAndLoad(_ml, model, data.Schema, zip);
        TestData.AssertRows(expected, TestData.ReadIds(loaded.Transform(data)));
    }

    [TestMethod]
    public void UnsupportedTiktokenEncodingIsRejectedNamingTheAllowedEncodings()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => PretrainedTokenizer.Tiktoken("gpt5_base"));
        Assert.AreEqual("encodingName", e.ParamName);
        StringAssert.Contains(e.Message, "cl100k_base");
    }

    [TestMethod]
    public void MissingTokenizerFileIsRejectedNamingThePath()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => PretrainedTokenizer.WordPiece("/no/such/vocab.txt"));
        StringAssert.Contains(e.Message, "/no/such/vocab.txt");
        Assert.AreEqual("vocabFilePath", e.ParamName);
    }

    [TestMethod]
    [DataRow("Lowercase", DisplayName = "Lowercase with Pretrained")]
    [DataRow("Vocabulary", DisplayName = "Vocabulary with Pretrained")]
    [DataRow("MaximumVocabularySize", DisplayName = "MaximumVocabularySize with Pretrained")]
    [DataRow("Pretrained", DisplayName = "Pretrained with Word mode")]
    public void OptionsThatDoNotApplyToPretrainedModeAreRejectedByName(string option)
    {
        TokenizerOptions options = option switch
        {
            "Lowercase" => new() { Mode = TokenizerMode.Pretrained, Pretrained = Cl100k.Value, Lowercase = true },
            "Vocabulary" => new() { Mode = TokenizerMode.Pretrained, Pretrained = Cl100k.Value, Vocabulary = ["a"] },
            "MaximumVocabularySize" => new() { Mode = TokenizerMode.Pretrained, Pretrained = Cl100k.Value, MaximumVocabularySize = 10 },
            _ => new() { Pretrained = Cl100k.Value },
        };
        var e = Assert.ThrowsExactly<ArgumentException>(() => _ml.Transforms.Text.TokenizeToIds("Ids", "Text", options));
        StringAssert.Contains(e.Message, "TokenizerOptions." + option);
    }

    /// <summary>Writes a minimal SentencePiece BPE ModelProto (protobuf) by hand: pieces with scores, trainer_spec.model_type = BPE.</summary>
    private static class TinySentencePieceModel
    {
        public static byte[] Bytes()
        {
            (string Piece, float Score, int Type)[] pieces =
            [
                ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3),
                ("\u2581ab", -1, 1), ("ab", -2, 1), ("\u2581a", -3, 1), ("\u2581c", -4, 1), ("\u2581", -5, 1),
                ("a", -6, 1), ("b", -7, 1), ("c", -8, 1),
            ];
            var model = new MemoryStream();
            foreach (var (piece, score, type) in pieces)
            {
                var message = new MemoryStream();
                WriteBytes(message, 1, System.Text.Encoding.UTF8.GetBytes(piece));
                message.WriteByte(2 << 3 | 5);
                message.Write(BitConverter.GetBytes(score));
                message.WriteByte(3 << 3);
                message.WriteByte((byte)type);
                WriteBytes(model, 1, message.ToArray());
            }
            WriteBytes(model, 2, [3 << 3, 2]); // trainer_spec { model_type: BPE }
            WriteBytes(model, 3, []);          // normalizer_spec {} (defaults: dummy prefix, escape whitespace)
            return model.ToArray();
        }

        private static void WriteBytes(Stream stream, int field, byte[] bytes)
        {
            stream.WriteByte((byte)(field << 3 | 2));
            for (uint n = (uint)bytes.Length; ; n >>= 7)
            {
                if (n < 0x80)
                {
                    stream.WriteByte((byte)n);
                    break;
                }
                stream.WriteByte((byte)(n | 0x80));
            }
            stream.Write(bytes);
        }
    }
}
