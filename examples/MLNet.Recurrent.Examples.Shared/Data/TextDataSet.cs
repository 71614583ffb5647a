using Microsoft.ML;
using Spectre.Console;

namespace MLNet.Recurrent.Examples;

/// <summary>
/// A labelled text set split into training, optional validation and test rows, with the names of its classes.
/// Loaded by <see cref="AustenNovels"/>, <see cref="SstTrees"/>, <see cref="AgNewsCsv"/> or <see cref="ImdbReviews"/>.
/// </summary>
/// <param name="Name">What the data is (printed, so a user knows which data a run used).</param>
/// <param name="Classes">The class names; for two classes the second one is the positive class.</param>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows (the dev set), or empty.</param>
/// <param name="Test">Test rows.</param>
public sealed record TextDataSet(string Name, IReadOnlyList<string> Classes, IReadOnlyList<TextSample> Train, IReadOnlyList<TextSample> Validation, IReadOnlyList<TextSample> Test)
{
    /// <summary>Rows of the given classes only (in the given order, which becomes <see cref="Classes"/>).</summary>
    public TextDataSet OnlyClasses(params string[] classes)
    {
        foreach (string c in classes)
        {
            if (!Classes.Contains(c))
                throw new ArgumentException($"'{c}' is not a class of {Name}; its classes are {string.Join(", ", Classes)}.", nameof(classes));
        }
        var keep = new HashSet<string>(classes);
        return this with { Classes = classes, Train = Keep(Train), Validation = Keep(Validation), Test = Keep(Test) };
        List<TextSample> Keep(IEnumerable<TextSample> rows) => rows.Where(r => keep.Contains(r.Label)).ToList();
    }

    /// <summary>
    /// Moves a seeded random <paramref name="fraction"/> of the training rows into <see cref="Validation"/> (for sets
    /// without a dev split). Keeps the set as it is when it already has validation rows.
    /// </summary>
    public TextDataSet WithValidationSplit(double fraction, int seed)
    {
        if (Validation.Count > 0)
            return this;
        TextSample[] shuffled = Shuffled(Train, seed);
        int cut = (int)Math.Round(shuffled.Length * fraction);
        return this with { Validation = shuffled[..cut], Train = shuffled[cut..] };
    }

    /// <summary>At most the given numbers of rows from each split, drawn at random (seeded), e.g. for <c>--quick</c>.</summary>
    public TextDataSet Sample(int train, int validation, int test, int seed) => this with
    {
        Train = Shuffled(Train, seed).Take(train).ToList(),
        Validation = Shuffled(Validation, seed + 1).Take(validation).ToList(),
        Test = Shuffled(Test, seed + 2).Take(test).ToList(),
    };

    /// <summary>The rows as an <see cref="IDataView"/> with string columns Label and Text.</summary>
    public static IDataView ToDataView(MLContext ml, IEnumerable<TextSample> rows) => ml.Data.LoadFromEnumerable(rows.ToList());

    /// <summary>
    /// The rows of a two-class set as an <see cref="IDataView"/> with a Boolean Label (true for the second class) and Text.
    /// </summary>
    public IDataView ToBinaryDataView(MLContext ml, IEnumerable<TextSample> rows)
    {
        if (Classes.Count != 2)
            throw new InvalidOperationException($"{Name} has {Classes.Count} classes; a binary view needs exactly 2.");
        return ml.Data.LoadFromEnumerable(rows.Select(r => new BinaryTextSample { Label = r.Label == Classes[1], Text = r.Text }).ToList());
    }

    /// <summary>Prints the name, the split sizes and the class counts of the training rows.</summary>
    public void Describe()
    {
        AnsiConsole.MarkupLine($"[bold]Data:[/] {Markup.Escape(Name)}");
        AnsiConsole.MarkupLine($"  {Train.Count:N0} training, {Validation.Count:N0} validation, {Test.Count:N0} test rows; " +
                               $"mean {Train.Average(r => r.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length):F0} words per training text");
        var counts = Train.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Count());
        AnsiConsole.MarkupLine("  classes: " + Markup.Escape(string.Join(", ", Classes.Select(c => $"{c} ({counts.GetValueOrDefault(c):N0})"))));
    }

    private static TextSample[] Shuffled(IEnumerable<TextSample> rows, int seed)
    {
        TextSample[] array = rows.ToArray();
        new Random(seed).Shuffle(array);
        return array;
    }
}
