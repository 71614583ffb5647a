using Microsoft.ML;

namespace MLNet.Recurrent.Benchmarks.Harness;

/// <summary>
/// <c>--suite tokenize</c>: <c>tokenize/mb_per_s</c> of <c>TokenizeToIds</c> on the Austen train texts in Word mode (the
/// harness's word rules, filed under <c>word</c>, where the PyTorch script's Python tokenizer and ML.NET's
/// NormalizeText + TokenizeIntoWords + MapValueToKey are filed), Character mode (<c>char</c>) and Tiktoken cl100k
/// (<c>tiktoken</c>, no vocabulary to learn), each as the steady speed and the first pass (see
/// <see cref="TokenizeMeasurement"/>), plus the process's peak RSS after the Word measurement.
/// </summary>
public static class TokenizeSuite
{
    /// <summary>Runs the suite and writes its lines; returns the exit code.</summary>
    public static int Run(HarnessOptions o)
    {
        var output = new HarnessOutput(o);
        var ml = new MLContext(seed: o.Seed);
        List<string> texts = o.Subsample(AustenData.ReadTsv(Path.Combine(o.DataDirectory, "austen_train.tsv.gz"))).Select(p => p.Text).ToList();

        TokenizeMeasurement word = TokenizeMeasurement.Measure(ml, texts, ClassifySuite.WordOptions(null), o.TokenizePasses);
        Emit(output, "word", word);
        output.Emit("rss", "word", 1, "peak_rss_mb", HarnessOutput.PeakRssMb(), new { what = "after the word measurement" });

        Emit(output, "char", TokenizeMeasurement.Measure(ml, texts, new TokenizerOptions { Mode = TokenizerMode.Character }, o.TokenizePasses));

        var tiktoken = new TokenizerOptions { Mode = TokenizerMode.Pretrained, Pretrained = PretrainedTokenizer.Tiktoken("cl100k_base") };
        Emit(output, "tiktoken", TokenizeMeasurement.Measure(ml, texts, tiktoken, o.TokenizePasses));
        return 0;
    }

    private static void Emit(HarnessOutput output, string scheme, TokenizeMeasurement m)
    {
        output.Emit("tokenize", scheme, 1, "mb_per_s", m.MegabytesPerSecond, m.Detail);
        output.Emit("tokenize", scheme, 1, "mb_per_s_first_pass", m.FirstPassMegabytesPerSecond, new { what = "first full pass of the process, after a 200-row warm-up" });
    }
}
