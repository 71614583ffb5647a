using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace MLNet.Recurrent.Benchmarks;

/// <summary>
/// Tokenize + vocabulary-map throughput (MB/s of UTF-8 text) of TokenizeToIds in Word, Character and Tiktoken mode against
/// ML.NET's own TokenizeIntoWords + MapValueToKey, on the Austen training paragraphs, in the same process. Candidates run
/// interleaved; the median of the repetitions is reported. "transform" is one full cursor pass reading the id column of an
/// already-fitted model; "fit" is learning the vocabulary (one pass for ours; MapValueToKey's own pass for ML.NET).
/// </summary>
public sealed class TokenizeBenchmark : IBenchmark
{
    private const string Baseline = "ML.NET TokenizeIntoWords + MapValueToKey";

    public string Name => "tokenize";

    public string Description => "TokenizeToIds (Word/Character/Tiktoken) vs ML.NET TokenizeIntoWords+MapValueToKey, MB/s. Options: --reps 7, --warmup 3, --data <austen_train.tsv.gz>";

    public int Run(BenchmarkArgs args)
    {
        int repetitions = args.GetInt("reps", 7);
        int warmups = args.GetInt("warmup", 3);
        string path = args.Get("data", Path.Combine(AustenData.Folder(), "austen_train.tsv.gz"));
        List<AustenData.Paragraph> rows = AustenData.ReadTsv(path);
        double megabytes = rows.Sum(r => (long)Encoding.UTF8.GetByteCount(r.Text)) / 1e6;

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        PretrainedTokenizer cl100k = PretrainedTokenizer.Tiktoken("cl100k_base");
        var candidates = new (string Name, IEstimator<ITransformer> Estimator, bool Learns)[]
        {
            ("TokenizeToIds Word", ml.Transforms.Text.TokenizeToIds("Ids", "Text"), true),
            ("TokenizeToIds Character", ml.Transforms.Text.TokenizeToIds("Ids", "Text", new TokenizerOptions { Mode = TokenizerMode.Character }), true),
            ("TokenizeToIds Tiktoken cl100k", ml.Transforms.Text.TokenizeToIds("Ids", "Text", new TokenizerOptions { Mode = TokenizerMode.Pretrained, Pretrained = cl100k }), false),
            (Baseline, ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Append(ml.Transforms.Conversion.MapValueToKey("Ids", "Tokens")), true),
            ("ML.NET NormalizeText(lower, no punct.) + TokenizeIntoWords + MapValueToKey",
                ml.Transforms.Text.NormalizeText("Normalized", "Text", TextNormalizingEstimator.CaseMode.Lower, keepDiacritics: true, keepPunctuations: false, keepNumbers: true)
                    .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Normalized"))
                    .Append(ml.Transforms.Conversion.MapValueToKey("Ids", "Tokens")), true),
        };

        Console.WriteLine($"Austen training text: {rows.Count} paragraphs, {megabytes:F2} MB UTF-8; {warmups} warm-up rounds, {repetitions} interleaved repetitions, median; {Environment.ProcessorCount} cores.");
        var fitted = candidates.ToDictionary(c => c.Name, c => c.Estimator.Fit(data));
        var tokens = fitted.ToDictionary(f => f.Key, f => CountIds(f.Value.Transform(data)));
        var transformTimes = Stopwatches.Interleaved(
            fitted.Select(f => (f.Key, (Action)(() => CountIds(f.Value.Transform(data))))).ToList(), repetitions, warmups);
        var fitTimes = Stopwatches.Interleaved(
            candidates.Where(c => c.Learns).Select(c => (c.Name, (Action)(() => c.Estimator.Fit(data)))).ToList(), repetitions, warmups);

        double baselineWall = megabytes / Stopwatches.MedianWall(transformTimes[Baseline]);
        double baselineCpu = megabytes / Stopwatches.MedianCpu(transformTimes[Baseline]);
        Console.WriteLine();
        Console.WriteLine("Transform = one cursor pass reading the id column of a fitted model; fit = learning the vocabulary.");
        Console.WriteLine("MB/s = MB / median wall-clock seconds; MB/CPU-s = MB / median process CPU seconds (steadier on a shared machine).");
        Console.WriteLine();
        Console.WriteLine("| candidate | tokens | transform MB/s | transform MB/CPU-s | vs ML.NET pair (wall / CPU) | fit MB/s | fit MB/CPU-s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, _, learns) in candidates)
        {
            double wall = megabytes / Stopwatches.MedianWall(transformTimes[name]);
            double cpu = megabytes / Stopwatches.MedianCpu(transformTimes[name]);
            string fitWall = learns ? $"{megabytes / Stopwatches.MedianWall(fitTimes[name]):F1}" : "n/a";
            string fitCpu = learns ? $"{megabytes / Stopwatches.MedianCpu(fitTimes[name]):F1}" : "n/a";
            Console.WriteLine($"| {name} | {tokens[name]:N0} | {wall:F1} | {cpu:F1} | {wall / baselineWall:F2}x / {cpu / baselineCpu:F2}x | {fitWall} | {fitCpu} |");
        }

        // The codecs alone (TokenCodec.Encode per paragraph, no IDataView cursor): what the pipeline plumbing costs.
        var codecs = fitted.Where(f => f.Value is TokenizeToIdsTransformer)
            .Select(f => (f.Key, ((TokenizeToIdsTransformer)f.Value).Codec)).ToList();
        var codecTimes = Stopwatches.Interleaved(
            codecs.Select(c => (c.Key, (Action)(() => rows.ForEach(r => c.Codec.Encode(r.Text))))).ToList(), repetitions, warmups);
        Console.WriteLine();
        Console.WriteLine("| codec alone (TokenCodec.Encode, no IDataView) | MB/s | MB/CPU-s |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, _) in codecs)
            Console.WriteLine($"| {name} | {megabytes / Stopwatches.MedianWall(codecTimes[name]):F1} | {megabytes / Stopwatches.MedianCpu(codecTimes[name]):F1} |");
        return 0;
    }

    /// <summary>One full cursor pass over the "Ids" column (Int32 ids or ML.NET UInt32 keys); returns the number of ids.</summary>
    private static long CountIds(IDataView view)
    {
        var column = view.Schema["Ids"];
        using var cursor = view.GetRowCursor([column]);
        long count = 0;
        if (((VectorDataViewType)column.Type).ItemType.RawType == typeof(int))
        {
            var getter = cursor.GetGetter<VBuffer<int>>(column);
            VBuffer<int> ids = default;
            while (cursor.MoveNext())
            {
                getter(ref ids);
                count += ids.Length;
            }
        }
        else
        {
            var getter = cursor.GetGetter<VBuffer<uint>>(column);
            VBuffer<uint> keys = default;
            while (cursor.MoveNext())
            {
                getter(ref keys);
                count += keys.Length;
            }
        }
        return count;
    }
}
