using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent.Benchmarks.Harness;

/// <summary>
/// <c>tokenize/mb_per_s</c> as benchmarks/README.md defines it: UTF-8 megabytes of the texts / seconds to tokenize them,
/// learn the vocabulary and map every row to ids, with the text already in memory. For <c>TokenizeToIds</c> that is
/// <c>Fit</c> (one streaming pass that learns the vocabulary) plus one cursor pass reading every row's ids. One
/// JIT warm-up on a 200-row slice comes first (as the ML.NET baseline does); the first full pass after it is
/// <see cref="FirstPassMegabytesPerSecond"/> (it still runs partly on unoptimized JIT code); then <c>passes</c> untimed
/// warm-up passes and <c>passes</c> timed ones, whose median is <see cref="MegabytesPerSecond"/> (the steady speed,
/// what a larger corpus would see). Every side of the harness follows this protocol.
/// </summary>
public sealed record TokenizeMeasurement(double MegabytesPerSecond, double FirstPassMegabytesPerSecond, object Detail)
{
    /// <summary>Measures <paramref name="options"/> on <paramref name="texts"/>.</summary>
    public static TokenizeMeasurement Measure(MLContext ml, IReadOnlyList<string> texts, TokenizerOptions options, int passes)
    {
        var rows = texts.Select(t => new TextRow { Text = t }).ToList();
        long bytes = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        Pass(ml, ml.Data.LoadFromEnumerable(rows.Take(200)), options); // warm-up
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var clock = Stopwatch.StartNew();
        (long tokens, int vocabulary) = Pass(ml, ml.Data.LoadFromEnumerable(rows), options);
        double first = clock.Elapsed.TotalSeconds;
        for (int i = 0; i < passes; i++)
            Pass(ml, ml.Data.LoadFromEnumerable(rows), options);
        var seconds = new List<double>();
        for (int i = 0; i < passes; i++)
        {
            GC.Collect();
            clock.Restart();
            Pass(ml, ml.Data.LoadFromEnumerable(rows), options);
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        double median = Stopwatches.Median(seconds);
        return new TokenizeMeasurement(bytes / 1e6 / median, bytes / 1e6 / first,
            new { bytes, seconds = median, per_pass_s = seconds, first_pass_s = first, rows = rows.Count, tokens, vocab_size = vocabulary });
    }

    private static (long Tokens, int Vocabulary) Pass(MLContext ml, IDataView data, TokenizerOptions options)
    {
        ITransformer model = ml.Transforms.Text.TokenizeToIds("Ids", "Text", options).Fit(data);
        IDataView ids = model.Transform(data);
        DataViewSchema.Column column = ids.Schema["Ids"];
        long tokens = 0;
        using (DataViewRowCursor cursor = ids.GetRowCursor(new[] { column }))
        {
            ValueGetter<VBuffer<int>> getter = cursor.GetGetter<VBuffer<int>>(column);
            VBuffer<int> buffer = default;
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                tokens += buffer.Length;
            }
        }
        VBuffer<ReadOnlyMemory<char>> vocabulary = default;
        column.Annotations.GetValue("Vocabulary", ref vocabulary);
        return (tokens, vocabulary.Length);
    }
}
