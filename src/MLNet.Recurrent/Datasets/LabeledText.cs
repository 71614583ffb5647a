namespace MLNet.Recurrent;

/// <summary>One row of a text-classification dataset: a label and a text. Usable with <c>mlContext.Data.LoadFromEnumerable</c>.</summary>
public sealed class LabeledText
{
    /// <summary>The class name (or a number as text for regression data).</summary>
    public string Label { get; set; } = "";

    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}
