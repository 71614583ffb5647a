namespace MLNet.Recurrent;

/// <summary>The one wording of an option outside its range, for every options class and architecture record.</summary>
internal static class OptionRange
{
    /// <summary>Throws <see cref="ArgumentException"/> "<paramref name="name"/> is <paramref name="value"/>; it must be <paramref name="allowed"/>." unless <paramref name="ok"/>.</summary>
    public static void Check(bool ok, string name, object value, string allowed)
    {
        if (!ok)
            throw new ArgumentException($"{name} is {value}; it must be {allowed}.", name);
    }
}
