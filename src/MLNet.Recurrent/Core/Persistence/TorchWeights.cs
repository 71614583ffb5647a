using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Writes and reads a TorchSharp module's state (parameters and buffers) in a small, validated format for model zips:
/// always from/to CPU memory (a model trained on CUDA loads on a CPU-only machine) and with a SHA-256 over the contents.
/// A saved model is untrusted input, so reading never builds or sizes anything from the file: the caller says which
/// tensors (names and shapes) the saved architecture implies, every tensor header is checked against them before its
/// bytes are read, the bytes are read only as far as the stream really has them, the checksum must match and every
/// value must be finite — and only then does the caller build the network and copy the weights in
/// (<see cref="Saved.CopyInto"/>). Any failure is an <see cref="InvalidDataException"/> naming the component and the
/// tensor. Uses the caller's streams and never closes them.
/// </summary>
internal static class TorchWeights
{
    private const int Magic = 0x574E524D; // "MRNW"
    private const int FormatVersion = 1;

    /// <summary>Writes every entry of <paramref name="module"/>'s state_dict.</summary>
    public static void Write(BinaryWriter writer, nn.Module module)
    {
        using var scope = NewDisposeScope();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var state = module.state_dict();
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(state.Count);
        foreach (var (name, tensor) in state)
        {
            Tensor cpu = tensor.detach().cpu().contiguous();
            writer.Write(name);
            writer.Write((int)cpu.dtype);
            writer.Write((int)cpu.dim());
            foreach (long d in cpu.shape)
                writer.Write(d);
            ReadOnlySpan<byte> bytes = cpu.bytes;
            writer.Write((long)bytes.Length);
            writer.Write(bytes);
            hash.AppendData(bytes);
        }
        writer.Write(hash.GetHashAndReset());
    }

    /// <summary>
    /// Reads weights written by <see cref="Write"/>, checking each tensor against <paramref name="expected"/> (the float32
    /// tensors the saved architecture implies, by state-dict name) before reading its bytes, then the checksum and that
    /// every value is finite. Nothing is allocated beyond the bytes the stream really holds.
    /// </summary>
    /// <exception cref="InvalidDataException">The weights are truncated, corrupted, non-finite or of another architecture.</exception>
    public static Saved Read(BinaryReader reader, IEnumerable<(string Name, long[] Shape)> expected, string component) =>
        Guard(component, () => ReadCore(reader, Expectation.From(expected), component));

    /// <summary>
    /// Reads weights in TorchSharp's own <c>Module.save</c> format (models saved before <see cref="Write"/> existed; no
    /// checksum), with the same checks against <paramref name="expected"/>, before any network is built.
    /// </summary>
    /// <exception cref="InvalidDataException">The weights are truncated, non-finite or of another architecture.</exception>
    public static Saved ReadTorchSharpFormat(BinaryReader reader, IEnumerable<(string Name, long[] Shape)> expected, string component) =>
        Guard(component, () => ReadTorchSharpCore(reader, Expectation.From(expected), component));

    /// <summary>Reads weights written by <see cref="Write"/> into <paramref name="module"/>, checked against the module's own tensors.</summary>
    public static void Read(BinaryReader reader, nn.Module module, string component)
    {
        var expected = module.state_dict().Select(kv => (kv.Key, kv.Value.shape)).ToList();
        Read(reader, expected, component).CopyInto(module, component);
    }

    private static Saved Guard(string component, Func<Saved> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{component}: the saved weights are truncated.", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{component}: the saved weights cannot be read ({e.Message}).", e);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"{component}: the saved weights are corrupted ({e.Message}).", e);
        }
    }

    private static Saved ReadCore(BinaryReader reader, Expectation expected, string component)
    {
        if (reader.ReadInt32() != Magic)
            throw new InvalidDataException($"{component}: the saved weights are not in the expected format.");
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"{component}: the saved weights have format version {version}; this library reads version {FormatVersion}.");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int count = reader.ReadInt32();
        expected.CheckCount(count, component);
        var tensors = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            int dtype = reader.ReadInt32();
            int dims = reader.ReadInt32();
            long[] shape = expected.CheckHeader(name, dtype, dims, tensors, component);
            for (int d = 0; d < dims; d++)
            {
                long size = reader.ReadInt64();
                if (size != shape[d])
                    throw ShapeMismatch(component, name, dims, d, size, shape);
            }
            long length = reader.ReadInt64();
            long bytesExpected = Expectation.Bytes(shape);
            if (length != bytesExpected)
                throw new InvalidDataException($"{component}: saved tensor '{name}' has {length} bytes; {bytesExpected} expected for shape [{string.Join(", ", shape)}].");
            byte[] bytes = ModelLoadGuard.ReadExactly(reader, length);
            hash.AppendData(bytes);
            tensors.Add(name, bytes);
        }
        byte[] stored = reader.ReadBytes(32);
        if (stored.Length != 32)
            throw new EndOfStreamException();
        if (!stored.AsSpan().SequenceEqual(hash.GetHashAndReset()))
            throw new InvalidDataException($"{component}: the saved weights are corrupted (checksum mismatch).");
        foreach (var (name, bytes) in tensors)
            CheckFinite(name, bytes, component);
        return new Saved(tensors);
    }

    private static Saved ReadTorchSharpCore(BinaryReader reader, Expectation expected, string component)
    {
        long count = ReadLeb128(reader);
        expected.CheckCount(count, component);
        var tensors = new Dictionary<string, byte[]>((int)count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            long dtype = ReadLeb128(reader);
            long dims = ReadLeb128(reader);
            long[] shape = expected.CheckHeader(name, dtype, dims, tensors, component);
            for (int d = 0; d < shape.Length; d++)
            {
                long size = ReadLeb128(reader);
                if (size != shape[d])
                    throw ShapeMismatch(component, name, shape.Length, d, size, shape);
            }
            byte[] bytes = ModelLoadGuard.ReadExactly(reader, Expectation.Bytes(shape));
            CheckFinite(name, bytes, component);
            tensors.Add(name, bytes);
        }
        return new Saved(tensors);
    }

    private static InvalidDataException ShapeMismatch(string component, string name, int dims, int d, long size, long[] shape) =>
        new($"{component}: saved tensor '{name}' has size {size} in dimension {d} of {dims}; the saved architecture implies shape [{string.Join(", ", shape)}].");

    /// <summary>A LEB128 unsigned number as TorchSharp writes it (at most 63 bits).</summary>
    private static long ReadLeb128(BinaryReader reader)
    {
        long result = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 56)
                throw new InvalidDataException("a LEB128 number is longer than 63 bits.");
            byte b = reader.ReadByte();
            result |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return result;
        }
    }

    private static void CheckFinite(string name, byte[] bytes, string component)
    {
        ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(bytes);
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new InvalidDataException($"{component}: saved tensor '{name}' holds {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at element {i}; a usable model has finite weights only (the model was saved after training diverged, or the file is damaged).");
        }
    }

    /// <summary>The tensors a saved architecture implies: names, float32, shapes.</summary>
    private sealed class Expectation
    {
        private readonly Dictionary<string, long[]> shapes;

        private Expectation(Dictionary<string, long[]> shapes) => this.shapes = shapes;

        public static Expectation From(IEnumerable<(string Name, long[] Shape)> expected) =>
            new(expected.ToDictionary(e => e.Name, e => e.Shape, StringComparer.Ordinal));

        private static string DescribeType(long dtype) =>
            dtype >= sbyte.MinValue && dtype <= sbyte.MaxValue && Enum.IsDefined((ScalarType)(sbyte)dtype) ? ((ScalarType)(sbyte)dtype).ToString() : $"code {dtype}";

        public static long Bytes(long[] shape) => shape.Aggregate(1L, (n, d) => n * d) * sizeof(float);

        public void CheckCount(long count, string component)
        {
            if (count != shapes.Count)
                throw new InvalidDataException($"{component}: the saved weights have {count} tensors; the saved architecture has {shapes.Count}.");
        }

        /// <summary>The expected shape of tensor <paramref name="name"/>, after checking its name, type and rank.</summary>
        public long[] CheckHeader(string name, long dtype, long dims, IReadOnlyDictionary<string, byte[]> seen, string component)
        {
            if (!shapes.TryGetValue(name, out long[]? shape))
                throw new InvalidDataException($"{component}: the saved weights contain '{name}', which the saved architecture does not have.");
            if (seen.ContainsKey(name))
                throw new InvalidDataException($"{component}: the saved weights contain '{name}' twice.");
            if (dtype != (long)ScalarType.Float32 || dims != shape.Length)
                throw new InvalidDataException($"{component}: saved tensor '{name}' has element type {DescribeType(dtype)} and {dims} dimension(s); the saved architecture implies Float32 with {shape.Length}.");
            return shape;
        }
    }

    /// <summary>Checked weights in CPU memory, to be copied into the network built from the same architecture.</summary>
    internal sealed class Saved
    {
        private readonly Dictionary<string, byte[]> tensors;

        public Saved(Dictionary<string, byte[]> tensors) => this.tensors = tensors;

        /// <summary>Number of tensors.</summary>
        public int Count => tensors.Count;

        /// <summary>Copies every tensor into <paramref name="module"/>'s state (whatever its device), checking that it has exactly these tensors.</summary>
        public void CopyInto(nn.Module module, string component)
        {
            using var scope = NewDisposeScope();
            var state = module.state_dict();
            if (state.Count != tensors.Count)
                throw new InvalidDataException($"{component}: the saved weights have {tensors.Count} tensors; the model has {state.Count}.");
            using var noGrad = no_grad();
            foreach (var (name, target) in state)
            {
                if (!tensors.TryGetValue(name, out byte[]? bytes) || target.dtype != ScalarType.Float32 || bytes.Length != target.NumberOfElements * target.ElementSize)
                    throw new InvalidDataException($"{component}: the saved weights do not match the model's tensor '{name}' [{string.Join(", ", target.shape)}].");
                Tensor source = empty(target.shape, target.dtype);
                source.bytes = bytes;
                target.copy_(source);
            }
        }
    }
}
