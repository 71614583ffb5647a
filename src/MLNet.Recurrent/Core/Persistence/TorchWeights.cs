using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Writes and reads a TorchSharp module's state (parameters and buffers) in a small, validated format for model zips:
/// always from/to CPU memory (a model trained on CUDA loads on a CPU-only machine), every tensor's name, dtype and
/// shape checked against the receiving module, and a SHA-256 over the contents, so truncated or corrupted weights give
/// an <see cref="InvalidDataException"/> naming the component instead of garbage predictions or a native crash.
/// Uses the caller's streams and never closes them.
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
    /// Reads weights written by <see cref="Write"/> into <paramref name="module"/> (whatever its device). Throws
    /// <see cref="InvalidDataException"/> naming <paramref name="component"/> when they are truncated, corrupted or
    /// belong to a different architecture.
    /// </summary>
    public static void Read(BinaryReader reader, nn.Module module, string component)
    {
        try
        {
            ReadCore(reader, module, component);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{component}: the saved weights are truncated.", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{component}: the saved weights cannot be read ({e.Message}).", e);
        }
    }

    private static void ReadCore(BinaryReader reader, nn.Module module, string component)
    {
        if (reader.ReadInt32() != Magic)
            throw new InvalidDataException($"{component}: the saved weights are not in the expected format.");
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"{component}: the saved weights have format version {version}; this library reads version {FormatVersion}.");

        using var scope = NewDisposeScope();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var state = module.state_dict();
        int count = reader.ReadInt32();
        if (count != state.Count)
            throw new InvalidDataException($"{component}: the saved weights have {count} tensors; the model has {state.Count}.");

        var loaded = new List<(Tensor Target, Tensor Source)>(count);
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            if (!state.TryGetValue(name, out Tensor? target))
                throw new InvalidDataException($"{component}: the saved weights contain '{name}', which the model does not have.");
            var dtype = (ScalarType)reader.ReadInt32();
            int dims = reader.ReadInt32();
            if (dtype != target.dtype || dims != target.dim())
                throw new InvalidDataException($"{component}: saved tensor '{name}' is {dtype} with {dims} dimension(s); the model expects {target.dtype} with {target.dim()}.");
            long[] shape = new long[dims];
            for (int d = 0; d < dims; d++)
                shape[d] = reader.ReadInt64();
            if (!shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{component}: saved tensor '{name}' has shape [{string.Join(", ", shape)}]; the model expects [{string.Join(", ", target.shape)}].");
            long length = reader.ReadInt64();
            long expected = target.NumberOfElements * target.ElementSize;
            if (length != expected)
                throw new InvalidDataException($"{component}: saved tensor '{name}' has {length} bytes; {expected} expected.");
            byte[] bytes = reader.ReadBytes(checked((int)length));
            if (bytes.Length != length)
                throw new EndOfStreamException();
            hash.AppendData(bytes);
            Tensor source = empty(shape, dtype);
            source.bytes = bytes;
            loaded.Add((target, source));
        }
        byte[] stored = reader.ReadBytes(32);
        if (stored.Length != 32)
            throw new EndOfStreamException();
        if (!stored.AsSpan().SequenceEqual(hash.GetHashAndReset()))
            throw new InvalidDataException($"{component}: the saved weights are corrupted (checksum mismatch).");

        using var noGrad = no_grad();
        foreach (var (target, source) in loaded)
            target.copy_(source);
    }
}
