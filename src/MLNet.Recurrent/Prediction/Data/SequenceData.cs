using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// Token-id sequences, targets and optional weights of a training or validation set, read from an
/// <see cref="IDataView"/> in one cursor pass into compact arrays. Rows with a missing label or an unusable weight are
/// skipped and counted.
/// </summary>
internal sealed class SequenceData
{
    private SequenceData(List<int[]> sequences, float[] targets, float[]? weights)
    {
        Sequences = sequences;
        Targets = targets;
        Weights = weights;
    }

    public List<int[]> Sequences { get; }

    public float[] Targets { get; }

    public float[]? Weights { get; }

    public int Count => Sequences.Count;

    /// <summary>Rows the cursor returned.</summary>
    public long RowsRead { get; private init; }

    /// <summary>Rows skipped because the label was missing (NaN, key 0).</summary>
    public long MissingLabels { get; private init; }

    /// <summary>Rows skipped because the weight was NaN, infinite or negative.</summary>
    public long BadWeights { get; private init; }

    /// <summary>Largest token id seen (before mapping ids outside the vocabulary to &lt;unk&gt;).</summary>
    public int MaxId { get; private init; }

    /// <summary>The row position <see cref="MaxId"/> was read from (−1 when unknown).</summary>
    public long MaxIdRow { get; private init; } = -1;

    /// <summary>Rows that had more than the maximum length of tokens (and were cut).</summary>
    public long RowsCut { get; private init; }

    /// <summary>The longest row kept, in tokens (after cutting).</summary>
    public int LongestRow => Sequences.Count == 0 ? 0 : Sequences.Max(s => s.Length);

    /// <summary>
    /// Reads <paramref name="data"/>. <paramref name="vocabularySize"/> 0 keeps large ids (the caller sizes the vocabulary
    /// from <see cref="MaxId"/>); otherwise ids outside it become &lt;unk&gt;.
    /// </summary>
    public static SequenceData Read(IDataView data, TokenIdColumn tokens, PredictionTask task, DataViewSchema.Column label, DataViewSchema.Column? weight,
        int vocabularySize, int maximumLength, Action checkAlive)
    {
        var columns = new List<DataViewSchema.Column> { tokens.Column, label };
        if (weight is DataViewSchema.Column w)
            columns.Add(w);
        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        TokenIdReader ids = tokens.CreateReader(cursor);
        LabelReader readLabel = task.CreateLabelReader(cursor, cursor.Schema[label.Index]);
        ValueGetter<float>? readWeight = weight is DataViewSchema.Column wc ? cursor.GetGetter<float>(cursor.Schema[wc.Index]) : null;

        var sequences = new List<int[]>();
        var targets = new List<float>();
        var weights = readWeight is null ? null : new List<float>();
        long rows = 0, missing = 0, badWeights = 0, cut = 0;
        float weightValue = 0;
        while (cursor.MoveNext())
        {
            if ((++rows & 1023) == 0)
                checkAlive();
            if (!readLabel(out float target))
            {
                missing++;
                continue;
            }
            if (readWeight is not null)
            {
                readWeight(ref weightValue);
                if (!float.IsFinite(weightValue) || weightValue < 0)
                {
                    badWeights++;
                    continue;
                }
                weights!.Add(weightValue);
            }
            sequences.Add(ids.Read(vocabularySize, maximumLength).ToArray());
            if (ids.LastRowWasCut)
                cut++;
            targets.Add(target);
        }
        return new SequenceData(sequences, targets.ToArray(), weights?.ToArray())
        {
            RowsRead = rows,
            MissingLabels = missing,
            BadWeights = badWeights,
            MaxId = ids.MaxIdSeen,
            MaxIdRow = ids.MaxIdRow,
            RowsCut = cut,
        };
    }

    /// <summary>
    /// Per-class loss weights for <paramref name="weighting"/> from this set's class-index targets (0 … <paramref name="classes"/> − 1),
    /// or null for <see cref="ClassWeighting.None"/>. Classes absent from the set get weight 0 (they have no rows).
    /// </summary>
    public double[]? ClassWeights(ClassWeighting weighting, int classes)
    {
        if (weighting == ClassWeighting.None)
            return null;
        var counts = new long[classes];
        foreach (float t in Targets)
            counts[(int)t]++;
        int present = counts.Count(c => c > 0);
        var weights = new double[classes];
        for (int c = 0; c < classes; c++)
            weights[c] = counts[c] == 0 ? 0 : (double)Count / (present * counts[c]);
        if (weighting == ClassWeighting.SquareRootBalanced)
        {
            for (int c = 0; c < classes; c++)
                weights[c] = Math.Sqrt(weights[c]);
            double mean = Enumerable.Range(0, classes).Sum(c => weights[c] * counts[c]) / Count;
            for (int c = 0; c < classes; c++)
                weights[c] /= mean;
        }
        return weights;
    }

    /// <summary>The same rows with every row's weight multiplied by its class's weight.</summary>
    public SequenceData WithClassWeights(double[] classWeights) => new(
        Sequences,
        Targets,
        Enumerable.Range(0, Count).Select(i => (float)(classWeights[(int)Targets[i]] * (Weights?[i] ?? 1f))).ToArray())
    {
        RowsRead = RowsRead,
        MissingLabels = MissingLabels,
        BadWeights = BadWeights,
        MaxId = MaxId,
    };

    /// <summary>The rows at <paramref name="rows"/> (indices into this set).</summary>
    public SequenceData Subset(int[] rows) => new(
        rows.Select(r => Sequences[r]).ToList(),
        rows.Select(r => Targets[r]).ToArray(),
        Weights is null ? null : rows.Select(r => Weights[r]).ToArray())
    {
        RowsRead = rows.Length,
        MaxId = MaxId,
        MaxIdRow = MaxIdRow,
    };
}
