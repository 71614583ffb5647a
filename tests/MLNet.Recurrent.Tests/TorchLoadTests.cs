using System.Reflection;
using MLNet.Recurrent.NativeFix;
using TorchSharp;

namespace MLNet.Recurrent.Tests;

[TestClass]
public sealed class TorchLoadTests
{
    private const string Glibcxx = "GLIBCXX_3.4.32";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TorchSharpNativeLibraryLoadsAndComputes()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using Scalar two = 2.ToScalar(); // held (see ConcurrencyTests)
        using var b = a * two;
        CollectionAssert.AreEqual(new float[] { 2, 4, 6 }, b.data<float>().ToArray());
    }

    [TestMethod]
    public void BuildOutputCopyOfLibTorchSharpNoLongerRequiresNewLibStdCxxStrongly()
    {
        string? output = TorchRuntime.FindLibTorchSharp();
        Assert.IsNotNull(output, "libLibTorchSharp.so should sit beside TorchSharp.dll in the test output");
        string? host = HostLibStdCxx.Locate();
        Assert.IsNotNull(host);
        if (!HostLibStdCxx.Provides(host, Glibcxx))
            Assert.IsFalse(ElfVersionPatcher.RequiresStrongly(output), "the build step should have patched the output copy");
    }

    [TestMethod]
    public void PatcherMakesRequirementWeakIdempotentlyAndKeepsEverythingElse()
    {
        string original = OriginalLibTorchSharp();
        string copy = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"patch-{Guid.NewGuid():N}.so");
        File.Copy(original, copy);
        try
        {
            Assert.IsTrue(ElfVersionPatcher.RequiresStrongly(copy));
            Assert.AreEqual(PatchOutcome.Patched, ElfVersionPatcher.Patch(copy));
            Assert.IsFalse(ElfVersionPatcher.RequiresStrongly(copy));
            byte[] before = File.ReadAllBytes(original), after = File.ReadAllBytes(copy);
            Assert.AreEqual(before.Length, after.Length);
            Assert.AreEqual(1, before.Zip(after).Count(p => p.First != p.Second), "exactly one byte (the Vernaux flags) changes");
            Assert.AreEqual(PatchOutcome.AlreadyPatched, ElfVersionPatcher.Patch(copy));
            CollectionAssert.AreEqual(after, File.ReadAllBytes(copy));
            Assert.AreEqual(PatchOutcome.NotRequired, ElfVersionPatcher.Patch(copy, versionName: "GLIBCXX_9.9.99"));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [TestMethod]
    public void PatcherRejectsNonElfFilesWithClearError()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "not a shared object");
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionPatcher.Patch(file));
            StringAssert.Contains(e.Message, "not an ELF file");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void UnpatchedLibraryFailsWithExceptionNamingCauseAndFix()
    {
        TorchRuntime.EnsureLoaded(); // libtorch deps are then resolvable by soname from any folder
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-recurrent-unpatched-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string copy = Path.Combine(dir, "libLibTorchSharp.so");
        File.Copy(OriginalLibTorchSharp(), copy);
        TorchSharpLoadException? failure = TorchRuntime.ProbeNativeLibrary(copy);
        string host = HostLibStdCxx.Locate()!;
        if (HostLibStdCxx.Provides(host, Glibcxx))
        {
            Assert.IsNull(failure, "a GCC 13+ host loads the unpatched library as shipped");
        }
        else
        {
            Assert.IsNotNull(failure);
            StringAssert.Contains(failure.Message, "GLIBCXX_3.4.32");
            StringAssert.Contains(failure.Message, "MLNet.Recurrent.targets");
            StringAssert.Contains(failure.Message, copy);
        }
    }

    [TestMethod]
    public void MissingBackendPackageIsExplainedAsAMissingPackageReference()
    {
        var raw = new TypeInitializationException("TorchSharp.torch", new NotSupportedException(
            "This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64, Version=2.10.0.0."));
        TorchSharpLoadException explained = TorchRuntime.Explain(raw);
        StringAssert.Contains(explained.Message, "TorchSharp-cpu");
        StringAssert.Contains(explained.Message, "PackageReference");
        Assert.AreSame(raw, explained.InnerException);
    }

    private static string OriginalLibTorchSharp()
    {
        string dir = typeof(TorchLoadTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "TorchSharpPackageDir").Value!;
        string path = Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.IsTrue(File.Exists(path), $"package copy not found at {path}");
        return path;
    }
}
