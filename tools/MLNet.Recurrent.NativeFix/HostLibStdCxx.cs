using System.Text;

namespace MLNet.Recurrent.NativeFix;

/// <summary>Finds the host's libstdc++ and tells whether it provides a given GLIBCXX version.</summary>
public static class HostLibStdCxx
{
    private static readonly string[] SearchDirectories =
    {
        "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
    };

    /// <summary>Path of the libstdc++.so.6 this process loaded (the .NET host links it), else the first one in the usual directories.</summary>
    public static string? Locate()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int at = line.IndexOf('/');
                if (at >= 0 && line.Contains("/libstdc++.so.6", StringComparison.Ordinal))
                    return line[at..].Trim();
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return SearchDirectories.Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
    }

    /// <summary>Whether the library at <paramref name="path"/> defines the version string <paramref name="version"/> (e.g. GLIBCXX_3.4.32).</summary>
    public static bool Provides(string path, string version)
    {
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        byte[] haystack = File.ReadAllBytes(path);
        return haystack.AsSpan().IndexOf(needle) >= 0;
    }
}
