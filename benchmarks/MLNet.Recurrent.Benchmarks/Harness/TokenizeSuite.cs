using Microsoft.ML;

namespace MLNet.Recurrent.Benchmarks.Harness;

/// <summary>
/// <c>--suite tokenize</c>: <c>tokenize/mb_per_s</c> of <c>TokenizeToIds</c> on the Austen train texts in Word mode (the
/// harness's word rules, filed under <c>word</c>, where the PyTorch script's Python tokenizer and ML.NET's
/// NormalizeText + TokenizeIntoWords + MapValueToKey are filed), Character mode (<c>char</c>) and Tiktoken cl100k
/// (<c>tiktoken</c>, no vocabulary to learn), plus the process's peak RSS after the Word measurement.
/// </summary>
public static class TokenizeSuite
{
    /// <summary>Runs the suite and writes its lines; returns the exit code.</summary>
    public static int Run(HarnessOptions o)
    {
        var output = new HarnessOutput(o);
        var ml = new MLContext(seed: o.Seed);
        List<string> texts = o.Subsample(AustenData.ReadTsv(Path.Combine(o.DataDirectory, "austen_train.tsv.gz"))).Select(p => p.Text).ToList();

        TokenizeMeasurement word = TokenizeMeasurement.Measure(ml, texts, ClassifySuite.WordOptions(null));
        output.Emit("tokenize", "word", 1, "mb_per_s", word.MegabytesPerSecond, word.Detail);
        output.Emit("rss", "word", 1, "peak_rss_mb", HarnessOutput.PeakRssMb(), new { what = "after the word measurement" });

        TokenizeMeasurement character = TokenizeMeasurement.Measure(ml, texts, new TokenizerOptions { Mode = TokenizerMode.Character });
        output.Emit("tokenize", "char", 1, "mb_per_s", character.MegabytesPerSecond, character.Detail);

        var tiktoken = new TokenizerOptions { Mode = TokenizerMode.Pretrained, Pretrained = PretrainedTokenizer.Tiktoken("cl100k_base") };
        TokenizeMeasurement bpe = TokenizeMeasurement.Measure(ml, texts, tiktoken);
        output.Emit("tokenize", "tiktoken", 1, "mb_per_s", bpe.MegabytesPerSecond, bpe.Detail);
        return 0;
    }
}
