using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// Bounded memory by default (docs/reliability.md): options are bounded above, a vocabulary sized from raw ids is
/// bounded, rows are cut at a default maximum length, and with the limit lifted long rows are scored in windows or
/// refused with a clear error instead of growing memory without bound.
/// </summary>
[TestClass]
public sealed class LimitsTests
{
    [TestMethod]
    [DataRow(nameof(RecurrentTrainingOptions.HiddenSize), 1_000_000, "8,192")]
    [DataRow(nameof(RecurrentTrainingOptions.EmbeddingSize), 8_193, "8,192")]
    [DataRow(nameof(RecurrentTrainingOptions.NumberOfLayers), 100_000, "64")]
    [DataRow(nameof(RecurrentTrainingOptions.BatchSize), 42_949_673, "65,536")]
    [DataRow(nameof(RecurrentTrainingOptions.BatchSize), int.MaxValue, "65,536")]
    [DataRow(nameof(RecurrentTrainingOptions.MaximumInferredVocabularySize), 1, "16,777,216")]
    [DataRow(nameof(RecurrentTrainingOptions.MaximumInferredVocabularySize), 20_000_000, "16,777,216")]
    public void OptionsTooLargeAreRejectedByBothEstimatorsBeforeAnythingIsAllocated(string option, int value, string limit)
    {
        var ml = new MLContext();
        var property = typeof(RecurrentTrainingOptions).GetProperty(option)!;
        var trainer = new RecurrentTrainerOptions();
        property.SetValue(trainer, value);
        var languageModel = new LanguageModelOptions();
        property.SetValue(languageModel, value);
        var a = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Recurrent(trainer));
        var b = Assert.Throws<ArgumentException>(() => ml.Transforms.Text.TrainLanguageModel(languageModel));
        Assert.AreEqual(option, a.ParamName);
        StringAssert.Contains(a.Message, limit);
        Assert.AreEqual(a.Message, b.Message);
    }

    [TestMethod]
    public void ALanguageModelWindowTooLongIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.Text.TrainLanguageModel(new LanguageModelOptions { SequenceLength = 1 << 20 }));
        Assert.AreEqual(nameof(LanguageModelOptions.SequenceLength), e.ParamName);
        StringAssert.Contains(e.Message, "65,536");
    }

    [TestMethod]
    public void TheLargestBatchSizeTrainsWithoutOverflowInTheBatcher()
    {
        var ml = new MLContext(seed: 1);
        var options = Synthetic.SmallOptions(epochs: 1);
        options.BatchSize = 65_536;
        using var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(Synthetic.Order(40, 1)));
        var batcher = new SequenceBatcher(Enumerable.Range(0, 10).Select(i => new[] { 2, 3 }).ToList(), null, null, 65_536, bucketByLength: true, seed: 1, CPU);
        Assert.HasCount(1, batcher.Plan(1, shuffle: true));
    }

    [TestMethod]
    [DataRow(30_000_000)]
    [DataRow(2_000_000_000)]
    public void OneHugeRawTokenIdIsAnErrorNamingTheColumnTheRowAndTheOption(int id)
    {
        var ml = new MLContext(seed: 1);
        var rows = Synthetic.Order(20, 1);
        rows[13].Tokens = [2, id, 3];
        var e = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(Synthetic.SmallOptions(epochs: 1)).Fit(ml.Data.LoadFromEnumerable(rows)));
        foreach (string part in new[] { "'Tokens'", "row 13", $"id {id}", nameof(RecurrentTrainingOptions.MaximumInferredVocabularySize), "1,048,576" })
            StringAssert.Contains(e.Message, part);

        var lmRows = Enumerable.Range(0, 10).Select(i => new TokenRow { Tokens = [2, 3, 4, 2], Text = "" }).ToList();
        lmRows[7].Tokens = [2, id];
        var lm = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.TrainLanguageModel(LanguageModelTestData.TinyOptions()).Fit(ml.Data.LoadFromEnumerable(lmRows)));
        StringAssert.Contains(lm.Message, "row 7");
        StringAssert.Contains(lm.Message, $"id {id}");
    }

    [TestMethod]
    public void TheInferredVocabularyLimitIsAnOptionAndIdsBelowItTrain()
    {
        var ml = new MLContext(seed: 1);
        var rows = Synthetic.Order(20, 1);
        rows[2].Tokens = [2, 99, 3];
        var options = Synthetic.SmallOptions(epochs: 1);
        options.MaximumInferredVocabularySize = 100;
        using (var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows)))
            Assert.AreEqual(100, model.EncoderOptions.VocabularySize);
        rows[2].Tokens = [2, 100, 3];
        var e = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(e.Message, "row 2");
    }

    [TestMethod]
    public void RowsAreCutAt512TokensByDefaultAnd2048ForACharacterTokenizerAndTheLogSaysSo()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var words = Enumerable.Range(0, 40).Select(i => new TextLabelRow { Text = string.Join(' ', Enumerable.Repeat(i % 2 == 0 ? "good day" : "bad day", i == 3 ? 600 : 5)), Label = i % 2 == 0 }).ToList();
        var options = Synthetic.SmallOptions(epochs: 1);
        Assert.IsNull(options.MaximumSequenceLength, "the default is null (chosen from the tokenizer)");
        using (var chain = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Append(ml.BinaryClassification.Trainers.Recurrent(options)).Fit(ml.Data.LoadFromEnumerable(words)))
            Assert.AreEqual(512, chain.LastTransformer.MaximumSequenceLength);
        lock (log)
        {
            Assert.IsTrue(log.Any(m => m.Contains("cut to their first 512 tokens")), string.Join("\n", log));
            Assert.IsTrue(log.Any(m => m.Contains("Cut 1 training row(s) longer than 512 tokens")), string.Join("\n", log));
        }
        var characters = new TokenizerOptions { Mode = TokenizerMode.Character };
        using (var chain = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", characters).Append(ml.BinaryClassification.Trainers.Recurrent(options)).Fit(ml.Data.LoadFromEnumerable(words)))
            Assert.AreEqual(2048, chain.LastTransformer.MaximumSequenceLength);
        options.MaximumSequenceLength = 0;
        using (var chain = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Append(ml.BinaryClassification.Trainers.Recurrent(options)).Fit(ml.Data.LoadFromEnumerable(words)))
            Assert.AreEqual(0, chain.LastTransformer.MaximumSequenceLength, "0 lifts the limit");
    }

    public sealed class TextLabelRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    [TestMethod]
    public void WithTheLimitLiftedARowOfAMillionTokensIsRefusedBeforeTrainingNamingTheOption()
    {
        var ml = new MLContext(seed: 1);
        var rows = Synthetic.Order(40, 1);
        rows[5].Tokens = Enumerable.Range(0, 1_000_000).Select(i => 2 + i % 5).ToArray();
        var options = new RecurrentTrainerOptions { MaximumSequenceLength = 0, MaximumRecurrentLength = 0, NumberOfEpochs = 1 };
        var e = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        foreach (string part in new[] { "1,000,000 tokens", "'Tokens'", nameof(RecurrentTrainerOptions.MaximumSequenceLength), nameof(RecurrentTrainingOptions.BatchSize), "GiB" })
            StringAssert.Contains(e.Message, part);
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, SequencePooling.LastHidden, 1, 0)]
    [DataRow(RecurrentCell.Gru, SequencePooling.Mean, 2, 0)]
    [DataRow(RecurrentCell.Rnn, SequencePooling.Max, 2, 0)]
    [DataRow(RecurrentCell.Lstm, SequencePooling.Mean, 3, 0)]
    [DataRow(RecurrentCell.Lstm, SequencePooling.Max, 1, 1)]
    [DataRow(RecurrentCell.Gru, SequencePooling.LastHidden, 1, 2)]
    [DataRow(RecurrentCell.Lstm, SequencePooling.Max, 1, 2, 100)]
    [DataRow(RecurrentCell.Gru, SequencePooling.Mean, 2, 1, RecurrentEncoder.StreamWindow + 7)]
    [DataRow(RecurrentCell.Lstm, SequencePooling.Max, 1, 2, 100, true)]
    public void ALongRowScoredInWindowsEqualsTheWholeRowScoredAtOnce(RecurrentCell cell, SequencePooling pooling, int layers, int ngrams,
        int recurrentLength = 0, bool bidirectional = false)
    {
        var encoder = new RecurrentEncoderOptions
        {
            VocabularySize = 9, EmbeddingSize = 6, HiddenSize = 20, NumberOfLayers = layers, Cell = cell, Pooling = pooling,
            NGramLength = ngrams, NGramBuckets = ngrams >= 2 ? 64 : 0, RecurrentLength = recurrentLength, Bidirectional = bidirectional,
        };
        using var generator = new Generator(3);
        using var model = new RecurrentSequenceModel(encoder, 2, generator);
        model.eval();
        if (model.NGrams is not null)
        {
            using var noGrad = no_grad();
            model.NGrams.parameters().First().uniform_(-1, 1, generator); // the bag starts at zero: give it weights to check
        }
        var rng = new Random(4);
        long[] ids = Enumerable.Range(0, RecurrentEncoder.StreamWindow * 2 + 123).Select(_ => (long)rng.Next(1, 9)).ToArray();
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        Tensor tokens = tensor(ids, new long[] { 1, ids.Length });
        float[] whole = model.call(tokens, tensor(new long[] { ids.Length })).data<float>().ToArray();
        float[] windows = model.ForwardInWindows(tokens).data<float>().ToArray();
        Synthetic.AssertClose(whole, windows, 2e-4f, $"{cell} {pooling} {layers} layer(s), recurrent length {recurrentLength}");
    }

    [TestMethod]
    public void WithTheLimitLiftedLongRowsAreScoredInWindowsByForwardModelsAndRefusedByBidirectionalOnes()
    {
        var ml = new MLContext(seed: 1);
        var options = Synthetic.SmallOptions(epochs: 1);
        options.MaximumSequenceLength = 0;
        var train = ml.Data.LoadFromEnumerable(Synthetic.Order(40, 1));
        int[] longRow = Enumerable.Range(0, 30_000).Select(i => 4 + i % 4).ToArray();
        var rows = new[] { new BinaryRow { Tokens = [2, 3] }, new BinaryRow { Tokens = longRow }, new BinaryRow { Tokens = [3, 2] } };
        using (var forward = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train))
        {
            float[] batched = Synthetic.Floats(forward.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");
            using var engine = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, forward);
            float[] single = rows.Select(r => engine.Predict(r).Score).ToArray();
            Synthetic.AssertClose(single, batched, 1e-5f, "a long row among short ones");
            Assert.IsTrue(batched.All(float.IsFinite));
        }
        options.Bidirectional = true;
        using var bidirectional = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);
        rows[1].Tokens = Enumerable.Range(0, RecurrentEncoder.MaximumWholeRow + 1).Select(i => 4 + i % 4).ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => Synthetic.Floats(bidirectional.Transform(ml.Data.LoadFromEnumerable(rows)), "Score"));
        StringAssert.Contains(e.Message, "65,537 tokens");
        StringAssert.Contains(e.Message, "MaximumSequenceLength");

        // When its recurrent layers read only the start of a row, a bidirectional model scores rows of any length too.
        options.MaximumRecurrentLength = 64;
        using var readsTheStart = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);
        float[] scores = Synthetic.Floats(readsTheStart.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");
        using var startEngine = Synthetic.Engine<BinaryRow, BinaryPrediction>(ml, readsTheStart);
        Synthetic.AssertClose(rows.Select(r => startEngine.Predict(r).Score).ToArray(), scores, 1e-5f, "bidirectional, MaximumRecurrentLength 64");
    }

    [TestMethod]
    [DataRow(TokenizerMode.Character)]
    [DataRow(TokenizerMode.Word)]
    public void TokenizeToIdsReadsAMillionCharacterRowInOnePassWithoutLargeAllocations(TokenizerMode mode)
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(1);
        const string alphabet = "abcdefghij klmnopqrstuvwxyz";
        string big = new(Enumerable.Range(0, 1_000_000).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
        IDataView data = TestData.Texts(ml, big, "hello world");
        var transformer = ml.Transforms.Text.TokenizeToIds("Ids", "Text", new TokenizerOptions { Mode = mode }).Fit(data);
        GC.Collect();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int[][] ids = TestData.ReadIds(transformer.Transform(data));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (mode == TokenizerMode.Character)
            Assert.HasCount(1_000_000, ids[0]);
        else
            Assert.IsGreaterThan(30_000, ids[0].Length);
        // The row's text (2 MB), its ids (4 MB) and buffers that grow to them, a few times over; not in proportion to anything larger.
        Assert.IsLessThan(64L << 20, allocated, $"{allocated >> 20} MB allocated");
    }
}
