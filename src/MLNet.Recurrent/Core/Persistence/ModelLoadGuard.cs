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
        try
        {
            return ReadExactly(reader, n);
        }
        catch (EndOfStreamException e)
        {
            throw Corrupt(component, $"{what}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads exactly <paramref name="length"/> bytes, allocating no more than the stream really holds: a seekable stream
    /// is checked for the remaining length first, any other is read in growing chunks, so a damaged or hostile length
    /// ends in <see cref="EndOfStreamException"/> instead of a huge allocation.
    /// </summary>
    public static byte[] ReadExactly(BinaryReader reader, long length)
    {
        if (length < 0 || length > Array.MaxLength)
            throw new InvalidDataException($"a length of {length} bytes is invalid.");
        Stream stream = reader.BaseStream;
        if (stream.CanSeek)
        {
            long left = stream.Length - stream.Position;
            if (length > left)
                throw new EndOfStreamException($"{length} bytes are needed but only {left} remain.");
            byte[] all = reader.ReadBytes((int)length);
            if (all.Length != length)
                throw new EndOfStreamException($"{length} bytes are needed but only {all.Length} remain.");
            return all;
        }
        byte[] buffer = new byte[(int)Math.Min(length, 1 << 20)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(length, 2L * buffer.Length));
            int n = reader.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
                throw new EndOfStreamException($"{length} bytes are needed but only {filled} remain.");
            filled += n;
        }
        return buffer;
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
        byte[] bytes = ReadExactly(reader, 2L * n); // no allocation beyond what the stream holds
        return string.Create(n, bytes, static (span, b) =>
        {
            for (int i = 0; i < span.Length; i++)
                span[i] = (char)System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(2 * i));
        });
    }

    private static bool IsDecodingFailure(Exception e) =>
        e is EndOfStreamException or FormatException or OverflowException or DecoderFallbackException
            or ArgumentOutOfRangeException or IndexOutOfRangeException or OutOfMemoryException
        || e is InvalidOperationException && e.InnerException is FormatException or EndOfStreamException;
}
