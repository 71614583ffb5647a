namespace MLNet.Recurrent.Examples;

/// <summary>One labelled text: a class name and the text. Rows of <c>mlContext.Data.LoadFromEnumerable</c>.</summary>
public sealed class TextSample
{
    /// <summary>The class name.</summary>
    public string Label { get; set; } = "";

    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}

/// <summary>One labelled text of a two-class set, for the binary trainers (Boolean label).</summary>
public sealed class BinaryTextSample
{
    /// <summary>True for the second (positive) class of the set.</summary>
    public bool Label { get; set; }

    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}
