using System.Collections;
using System.CommandLine;

namespace MLNet.Recurrent.Examples;

/// <summary>
/// The command line every example shares (System.CommandLine): <c>--quick</c>, <c>--data</c>, <c>--out</c>, <c>--seed</c>,
/// <c>--threads</c>, plus the example's own options added with a collection initializer:
/// <code>var cli = new ExampleCommand("…", dataDescription: "…") { epochs, hidden };</code>
/// </summary>
public sealed class ExampleCommand : IEnumerable<Option>
{
    private readonly RootCommand root;

    /// <summary>Creates the command.</summary>
    /// <param name="description">What the example does (first line of <c>--help</c>).</param>
    /// <param name="dataDescription">What <c>--data</c> accepts, or null when the example takes no data set.</param>
    public ExampleCommand(string description, string? dataDescription)
    {
        root = new RootCommand(description) { Quick, Output, Seed, Threads };
        if (dataDescription is not null)
        {
            Data = new Option<string?>("--data") { Description = dataDescription, HelpName = "PATH" };
            root.Add(Data);
        }
    }

    /// <summary><c>--quick</c>: a run of seconds on a small slice of the data, for CI.</summary>
    public Option<bool> Quick { get; } = new("--quick") { Description = "A run of seconds on a small slice of the data and tiny models (what CI runs)." };

    /// <summary><c>--data PATH</c>, when the example reads a standard data set.</summary>
    public Option<string?>? Data { get; }

    /// <summary><c>--out DIR</c>: where plots and models go.</summary>
    public Option<DirectoryInfo> Output { get; } = new("--out")
    {
        Description = "Folder for the PNG plots and the saved model.",
        HelpName = "DIR",
        DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", AppDomain.CurrentDomain.FriendlyName)),
    };

    /// <summary><c>--seed N</c>.</summary>
    public Option<int> Seed { get; } = new("--seed") { Description = "Random seed (data split, initialisation, shuffling).", DefaultValueFactory = _ => 1 };

    /// <summary><c>--threads N</c>.</summary>
    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "TorchSharp CPU threads. The examples' models are small: a second thread gains little, and on a machine "
                      + "shared with other work libtorch's waiting threads spin and can make training many times slower.",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>Adds an example-specific option.</summary>
    public void Add(Option option) => root.Add(option);

    /// <summary>
    /// Parses <paramref name="args"/>. Returns null after printing help (<c>--help</c>) or the parse errors; the caller
    /// returns <paramref name="exitCode"/> then.
    /// </summary>
    public ExampleRun? Parse(string[] args, out int exitCode)
    {
        ParseResult result = root.Parse(args);
        if (result.Action is not null)
        {
            // --help, --version or a parse error: System.CommandLine prints it.
            exitCode = result.Invoke();
            return null;
        }
        exitCode = 0;
        return new ExampleRun(result, this);
    }

    /// <inheritdoc />
    public IEnumerator<Option> GetEnumerator() => root.Options.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
