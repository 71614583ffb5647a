using System.Text;

namespace MLNet.Recurrent;

/// <summary>
/// Turns the low-level failures a truncated or corrupted model stream produces (end of stream, bad
/// lengths, invalid UTF-16, ...) into one <see cref="InvalidDataException"/> that names the component,
/// so a damaged model zip never surfaces as an unexplained <see cref="EndOfStreamException"/>.
/// </summary>
internal static class ModelLoadGuard
{
    /// <summary>Runs <paramref name="load"/>, wrapping stream-decoding failures in <see cref="InvalidDataException"/>.</summary>
    public static T Run<T>(string component, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            throw Corrupt(component, e.Message, e);
        }
    }

    /// <summary>An <see cref="InvalidDataException"/> saying the saved <paramref name="component"/> is unreadable and why.</summary>
    public static InvalidDataException Corrupt(string component, string detail, Exception? inner = null) =>
        new($"The saved {component} data in the model is truncated or corrupted and cannot be loaded: {detail}", inner);

    /// <summary>Reads a non-negative count no larger than <paramref name="max"/>, or throws <see cref="InvalidDataException"/>.</summary>
    public static int ReadCount(BinaryReader reader, string component, string what, int max = int.MaxValue)
    {
        int n = reader.ReadInt32();
        if (n < 0 || n > max)
            throw Corrupt(component, $"{what} is {n}, outside 0..{max}.");
        return n;
    }

    /// <summary>Reads a length-prefixed byte array written by <see cref="WriteBytes"/>.</summary>
    public static byte[] ReadBytes(BinaryReader reader, string component, string what)
    {
        int n = ReadCount(reader, component, what + " length");
        long left = reader.BaseStream.CanSeek ? reader.BaseStream.Length - reader.BaseStream.Position : long.MaxValue;
        if (n > left)
            throw Corrupt(component, $"{what} needs {n} bytes but only {left} remain.");
        byte[] bytes = reader.ReadBytes(n);
        if (bytes.Length != n)
            throw new EndOfStreamException($"{what} ends after {bytes.Length} of {n} bytes.");
        return bytes;
    }

    /// <summary>Writes a length-prefixed byte array.</summary>
    public static void WriteBytes(BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Writes a string as length-prefixed UTF-16 code units (lossless, lone surrogates included).</summary>
    public static void WriteUtf16(BinaryWriter writer, string value)
    {
        writer.Write(value.Length);
        foreach (char c in value)
            writer.Write((ushort)c);
    }

    /// <summary>Reads a string written by <see cref="WriteUtf16"/>.</summary>
    public static string ReadUtf16(BinaryReader reader, string component, string what)
    {
        int n = ReadCount(reader, component, what + " length", max: 1 << 24);
        return string.Create(n, reader, static (span, r) =>
        {
            for (int i = 0; i < span.Length; i++)
                span[i] = (char)r.ReadUInt16();
        });
    }

    private static bool IsDecodingFailure(Exception e) =>
        e is EndOfStreamException or FormatException or OverflowException or DecoderFallbackException
            or ArgumentOutOfRangeException or IndexOutOfRangeException or OutOfMemoryException
        || e is InvalidOperationException && e.InnerException is FormatException or EndOfStreamException;
}
