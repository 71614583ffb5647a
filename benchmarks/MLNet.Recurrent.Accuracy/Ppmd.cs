using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MLNet.Recurrent.Accuracy;

/// <summary>
/// The language-model suite's reference: 7-Zip's PPMd (variant H), a strong adaptive context-mixing compressor, as
/// conditional compression. The held-out text costs what compressing the training text followed by it costs beyond
/// compressing the training text alone: (|7z(train + held-out)| − |7z(train)|) × 8 / held-out characters, in bits per
/// character. Both archives store one file of the same name, so the archive headers cancel to a few bytes. PPMd keeps
/// learning while it reads the held-out text (its advantage over a model scored with fixed weights).
/// </summary>
internal static class Ppmd
{
    /// <summary>Runs both compressions and returns the result line's fields.</summary>
    /// <param name="set">The text.</param>
    /// <param name="sevenZip">The 7-Zip command (<c>7z</c> from Debian's p7zip-full).</param>
    /// <param name="order">PPMd model order (2..32).</param>
    /// <param name="memory">PPMd model memory, 7-Zip's syntax (<c>256m</c>); 7-Zip lowers it to 16 × the input size when that is smaller.</param>
    public static JsonObject Measure(TextSet set, string sevenZip, int order, string memory)
    {
        string work = Directory.CreateTempSubdirectory("lm-ppmd-").FullName;
        try
        {
            string method = $"-m0=PPMd:mem={memory}:o={order}";
            long trainOnly = Compress(sevenZip, method, work, "train", [set.TrainPath], out string trainMethod);
            long both = Compress(sevenZip, method, work, "both", [set.TrainPath, set.HeldOutPath], out string bothMethod);
            long heldOutOnly = Compress(sevenZip, method, work, "heldout", [set.HeldOutPath], out _);
            long characters = set.HeldOutCharacters;
            return new JsonObject
            {
                ["bits_per_char"] = (both - trainOnly) * 8.0 / characters,
                ["heldout_alone_bits_per_char"] = heldOutOnly * 8.0 / characters,
                ["archive_bytes_train"] = trainOnly,
                ["archive_bytes_train_and_heldout"] = both,
                ["archive_bytes_heldout_alone"] = heldOutOnly,
                ["command"] = $"{sevenZip} a -t7z {method} out.7z text.txt",
                ["method_train"] = trainMethod,
                ["method_train_and_heldout"] = bothMethod,
                ["seven_zip"] = Version(sevenZip),
            };
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Compresses the concatenation of <paramref name="parts"/>, stored as <c>text.txt</c>; returns the archive's size and the method 7-Zip recorded.</summary>
    private static long Compress(string sevenZip, string method, string work, string name, string[] parts, out string recordedMethod)
    {
        string folder = Path.Combine(work, name);
        Directory.CreateDirectory(folder);
        string input = Path.Combine(folder, "text.txt"), archive = Path.Combine(folder, "text.7z");
        using (var output = File.Create(input))
            foreach (string part in parts)
                using (var source = File.OpenRead(part))
                    source.CopyTo(output);
        Run(sevenZip, folder, "a", "-t7z", method, "-bd", "-y", "text.7z", "text.txt");
        string listing = Run(sevenZip, folder, "l", "-slt", "text.7z");
        // The listing has the archive's method and then the file's.
        recordedMethod = listing.Split('\n').Where(l => l.StartsWith("Method = ", StringComparison.Ordinal)).Select(l => l[9..].Trim()).LastOrDefault() ?? "unknown";
        return new FileInfo(archive).Length;
    }

    private static string Version(string sevenZip)
    {
        string banner = Run(sevenZip, Directory.GetCurrentDirectory(), "i");
        string? line = banner.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("7-Zip", StringComparison.Ordinal));
        return line?.Split(" : ")[0] ?? "unknown"; // "7-Zip [64] 26.02 : Copyright ..." -> "7-Zip [64] 26.02"
    }

    private static string Run(string fileName, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments)
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"'{fileName}' did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{fileName}' could not be run ({e.Message}); install p7zip-full (apt-get install p7zip-full) or pass --seven-zip.", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' in {workingDirectory} exited with {process.ExitCode}: {stderr.Result.Trim()} {stdout.Trim()}");
            return stdout;
        }
    }
}
