using System.Buffers.Binary;
using System.Text;

namespace MLNet.Recurrent.NativeFix;

/// <summary>What <see cref="ElfVersionPatcher.Patch"/> did to a file.</summary>
public enum PatchOutcome
{
    /// <summary>The version requirement was strong and is now weak.</summary>
    Patched,
    /// <summary>The requirement was already weak (an earlier run patched it).</summary>
    AlreadyPatched,
    /// <summary>The file does not require that version at all.</summary>
    NotRequired,
}

/// <summary>
/// Marks one symbol-version requirement of an ELF64 shared object as weak (VER_FLG_WEAK), so the
/// dynamic loader only warns instead of refusing to load the library when the host lacks it.
/// </summary>
/// <remarks>
/// libLibTorchSharp.so (TorchSharp 0.107) requires GLIBCXX_3.4.32 for a single symbol,
/// <c>std::ios_base_library_init()</c>, which nothing binds or calls; Debian 12 and Ubuntu 22.04 ship
/// libstdc++ up to GLIBCXX_3.4.30. Layout: ELF64 section headers → SHT_GNU_verneed section →
/// Verneed entries (vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32) → Vernaux
/// entries (vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32).
/// </remarks>
public static class ElfVersionPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Makes <paramref name="versionName"/> required from <paramref name="libraryName"/> weak in <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a little-endian ELF64 object with a version-needs section.</exception>
    public static PatchOutcome Patch(string path, string libraryName = "libstdc++.so.6", string versionName = "GLIBCXX_3.4.32")
    {
        byte[] bytes = File.ReadAllBytes(path);
        int flagsOffset = FindVernauxFlagsOffset(bytes, libraryName, versionName, path);
        if (flagsOffset < 0)
            return PatchOutcome.NotRequired;
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(flagsOffset));
        if ((flags & VerFlgWeak) != 0)
            return PatchOutcome.AlreadyPatched;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(flagsOffset), (ushort)(flags | VerFlgWeak));

        // Write beside and rename: never modifies a file that is hard-linked to a package cache.
        // Keep the timestamp so MSBuild's incremental copy sees the output as up to date.
        DateTime stamp = File.GetLastWriteTimeUtc(path);
        string temp = path + ".nativefix.tmp";
        File.WriteAllBytes(temp, bytes);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
        File.Move(temp, path, overwrite: true);
        File.SetLastWriteTimeUtc(path, stamp);
        return PatchOutcome.Patched;
    }

    /// <summary>Whether <paramref name="path"/> requires <paramref name="versionName"/> strongly (i.e. needs patching).</summary>
    public static bool RequiresStrongly(string path, string libraryName = "libstdc++.so.6", string versionName = "GLIBCXX_3.4.32")
    {
        byte[] bytes = File.ReadAllBytes(path);
        int offset = FindVernauxFlagsOffset(bytes, libraryName, versionName, path);
        return offset >= 0 && (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset)) & VerFlgWeak) == 0;
    }

    private static int FindVernauxFlagsOffset(byte[] b, string libraryName, string versionName, string path)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException($"'{path}' is not an ELF file.");
        if (b[4] != 2 || b[5] != 1)
            throw new InvalidDataException($"'{path}' is not a little-endian 64-bit ELF file.");

        ulong shoff = U64(b, 0x28);
        ushort shentsize = U16(b, 0x3A);
        ushort shnum = U16(b, 0x3C);
        if (shoff == 0 || shentsize < 64 || shoff + (ulong)shentsize * shnum > (ulong)b.Length)
            throw new InvalidDataException($"'{path}' has no readable section header table.");

        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (U32(b, sh + 4) != ShtGnuVerneed)
                continue;
            int secOffset = checked((int)U64(b, sh + 24));
            int secSize = checked((int)U64(b, sh + 32));
            uint link = U32(b, sh + 40);
            uint count = U32(b, sh + 44);
            if (link >= shnum || secOffset + secSize > b.Length)
                throw new InvalidDataException($"'{path}' has a malformed version-needs section.");
            int strsh = checked((int)shoff + (int)link * shentsize);
            int strOffset = checked((int)U64(b, strsh + 24));
            int strSize = checked((int)U64(b, strsh + 32));

            int vn = secOffset;
            for (uint n = 0; n < count; n++)
            {
                ushort auxCount = U16(b, vn + 2);
                string file = CString(b, strOffset, strSize, U32(b, vn + 4));
                if (file == libraryName)
                {
                    int aux = vn + (int)U32(b, vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        if (CString(b, strOffset, strSize, U32(b, aux + 8)) == versionName)
                            return aux + 4;
                        uint next = U32(b, aux + 12);
                        if (next == 0) break;
                        aux += (int)next;
                    }
                }
                uint vnNext = U32(b, vn + 12);
                if (vnNext == 0) break;
                vn += (int)vnNext;
            }
            return -1;
        }
        throw new InvalidDataException($"'{path}' has no GNU version-needs section.");
    }

    private static ushort U16(byte[] b, int o) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(o));
    private static uint U32(byte[] b, int o) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(o));
    private static ulong U64(byte[] b, int o) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(o));

    private static string CString(byte[] b, int tableOffset, int tableSize, uint index)
    {
        if (index >= tableSize) throw new InvalidDataException("String index outside the dynamic string table.");
        int start = tableOffset + (int)index;
        int end = Array.IndexOf(b, (byte)0, start, tableOffset + tableSize - start);
        if (end < 0) throw new InvalidDataException("Unterminated string in the dynamic string table.");
        return Encoding.ASCII.GetString(b, start, end - start);
    }
}
