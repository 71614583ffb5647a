using System.CommandLine;
using Spectre.Console;

namespace MLNet.Recurrent.Examples;

/// <summary>One run of an example: the parsed command line, the output folder, and where the data comes from.</summary>
public sealed class ExampleRun
{
    private readonly ParseResult result;

    internal ExampleRun(ParseResult result, ExampleCommand command)
    {
        this.result = result;
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = 160; // logs: no wrapping at Spectre's default of 80 columns
        Quick = result.GetValue(command.Quick);
        DataPath = command.Data is null ? null : result.GetValue(command.Data);
        Seed = result.GetValue(command.Seed);
        OutputDirectory = result.GetValue(command.Output)!;
        OutputDirectory.Create();
        int threads = result.GetValue(command.Threads);
        if (threads < 1)
            throw new ArgumentException($"--threads is {threads}; it must be at least 1.");
        TorchSharp.torch.set_num_threads(threads);
    }

    /// <summary>Whether <c>--quick</c> was given.</summary>
    public bool Quick { get; }

    /// <summary>The <c>--data</c> path, or null (the example then uses data on the machine).</summary>
    public string? DataPath { get; }

    /// <summary>The <c>--seed</c> value.</summary>
    public int Seed { get; }

    /// <summary>The <c>--out</c> folder (created).</summary>
    public DirectoryInfo OutputDirectory { get; }

    /// <summary>The value of an example-specific option.</summary>
    public T Get<T>(Option<T> option) => result.GetValue(option)!;

    /// <summary>The value of an example-specific option, or <paramref name="quickValue"/> under <c>--quick</c> unless the option was given.</summary>
    public T Get<T>(Option<T> option, T quickValue) =>
        Quick && result.GetResult(option) is null or { Implicit: true } ? quickValue : result.GetValue(option)!;

    /// <summary>
    /// The example's data: <paramref name="standardFormat"/> on the <c>--data</c> path when one was given, else
    /// <paramref name="onTheMachine"/>. A missing or malformed data set ends the program with its message (which names
    /// the file, line or folder and what was expected) and exit code 2, not a stack trace.
    /// </summary>
    public T LoadData<T>(Func<string, T> standardFormat, Func<T> onTheMachine)
    {
        try
        {
            return DataPath is { } path ? standardFormat(path) : onTheMachine();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Environment.Exit(Fail("Cannot read the data: " + e.Message));
            throw; // not reached
        }
    }

    /// <summary>A path in the output folder.</summary>
    public string OutputFile(string fileName) => Path.Combine(OutputDirectory.FullName, fileName);

    /// <summary>Prints an error for the user and returns exit code 2.</summary>
    public static int Fail(string message)
    {
        AnsiConsole.MarkupLine($"[red]{Markup.Escape(message)}[/]");
        return 2;
    }

    /// <summary>Prints a section heading.</summary>
    public static void Section(string title) => AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
}
