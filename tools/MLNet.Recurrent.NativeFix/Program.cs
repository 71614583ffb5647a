using MLNet.Recurrent.NativeFix;

// Usage: MLNet.Recurrent.NativeFix [--force] [--check] <file-or-directory>...
// Patches every libLibTorchSharp.so found (a directory is searched at its top and under
// runtimes/*/native) unless the host libstdc++ already provides GLIBCXX_3.4.32.
const string Version = "GLIBCXX_3.4.32";
bool force = args.Contains("--force");
bool checkOnly = args.Contains("--check");
string[] targets = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
if (targets.Length == 0)
{
    Console.Error.WriteLine("usage: MLNet.Recurrent.NativeFix [--force] [--check] <file-or-directory>...");
    return 2;
}

if (!OperatingSystem.IsLinux() && !force)
    return 0;

if (!force)
{
    string? host = HostLibStdCxx.Locate();
    if (host is not null && HostLibStdCxx.Provides(host, Version))
        return 0; // nothing to do on hosts with GCC 13+ libstdc++
}

var files = new List<string>();
foreach (string t in targets)
{
    if (File.Exists(t)) files.Add(t);
    else if (Directory.Exists(t))
    {
        files.AddRange(Directory.EnumerateFiles(t, "libLibTorchSharp.so", SearchOption.TopDirectoryOnly));
        string runtimes = Path.Combine(t, "runtimes");
        if (Directory.Exists(runtimes))
            files.AddRange(Directory.EnumerateFiles(runtimes, "libLibTorchSharp.so", SearchOption.AllDirectories));
    }
}

int failures = 0;
foreach (string file in files)
{
    try
    {
        if (checkOnly)
        {
            Console.WriteLine($"{file}: {(ElfVersionPatcher.RequiresStrongly(file) ? "needs patch" : "ok")}");
            continue;
        }
        PatchOutcome outcome = ElfVersionPatcher.Patch(file);
        if (outcome == PatchOutcome.Patched)
            Console.WriteLine($"MLNet.Recurrent: made {Version} a weak requirement in {file} (host libstdc++ lacks it).");
    }
    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"MLNet.Recurrent.NativeFix: could not patch {file}: {e.Message}");
        failures++;
    }
}
return failures == 0 ? 0 : 1;
