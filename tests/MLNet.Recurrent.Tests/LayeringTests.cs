using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// The library's folders depend on each other one way (docs/design.md): <c>Core/</c> on nothing of the library,
/// <c>Text/</c> on <c>Core/</c>, <c>LanguageModeling/</c> on both, <c>Prediction/</c> on all three (a pretrained language model starts a classifier).
/// Checked on the sources: no code (comments and XML docs aside) in a folder names a type declared in a folder it must
/// not depend on.
/// </summary>
[TestClass]
public sealed partial class LayeringTests
{
    private static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Core"] = [],
        ["Text"] = ["Core"],
        ["Prediction"] = ["Core", "Text", "LanguageModeling"], // a pretrained language model can start a classifier
        ["LanguageModeling"] = ["Core", "Text"],
    };

    [TestMethod]
    public void FoldersDependOnEachOtherOneWay()
    {
        string root = Path.Combine(RepositoryRoot(), "src", "MLNet.Recurrent");
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Folder: Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar)[0], Path: f, Code: StripComments(File.ReadAllText(f))))
            .ToList();
        var unplaced = files.Where(f => !MayUse.ContainsKey(f.Folder)).Select(f => Path.GetRelativePath(root, f.Path)).ToList();
        Assert.IsEmpty(unplaced, "every source file lives in a feature folder: " + string.Join(", ", unplaced));

        var declaredIn = new Dictionary<string, string>();
        foreach (var (folder, _, code) in files)
            foreach (Match m in TypeDeclaration().Matches(code))
                declaredIn.TryAdd(m.Groups["name"].Value, folder);

        var violations = new List<string>();
        foreach (var (folder, path, code) in files)
        {
            foreach (Match m in Identifier().Matches(code))
            {
                if (declaredIn.TryGetValue(m.Value, out string? owner) && owner != folder && !MayUse[folder].Contains(owner))
                    violations.Add($"{Path.GetRelativePath(root, path)} uses {m.Value} ({owner}/)");
            }
        }
        Assert.IsEmpty(violations, string.Join("\n", violations.Distinct()));
    }

    private static string StripComments(string code) => Comments().Replace(code, " ");

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    /// <summary>Top-level type declarations (nested types, such as the transformers' private mappers, stay inside their file).</summary>
    [GeneratedRegex(@"(?m)^(?:public|internal)\b[^\n{;=]*?\b(?:class|record|struct|interface|enum|delegate\s+[\w<>?,\s]+?)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    private static string RepositoryRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
