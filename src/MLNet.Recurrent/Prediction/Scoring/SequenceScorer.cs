using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Runs a trained sequence model for prediction: in inference mode (no autograd), the module in eval mode and never
/// mutated, every call in its own dispose scope — so separate threads may score concurrently with one model.
/// <see cref="Score"/> sorts rows by length and runs them in padded batches, on the CPU spread over as many worker
/// threads as libtorch's intra-op thread count with one intra-op thread each; <see cref="ScoreOne"/> is the
/// low-latency single-row path, on one intra-op thread when the network is small.
/// </summary>
/// <remarks>
/// Why not libtorch's own intra-op threads: a recurrent network runs a chain of small ops per time step, and splitting
/// each of them over threads costs more in wake-ups than it saves. Measured on the 2-core development VM (LSTM-128,
/// ~50-token rows): one row took 0.25 ms on one thread and 0.50 ms on two; batches of 64 ran slower on two threads than
/// on one (docs/performance-notes.md, "Intra-op threads hurt small recurrent steps"), while two workers on separate chunks use both cores fully.
/// </remarks>
internal sealed class SequenceScorer
{
    /// <summary>Rows per forward pass of <see cref="Score"/>.</summary>
    internal const int ChunkRows = 64;

    private readonly nn.Module<Tensor, Tensor, Tensor> model;
    private readonly Device device;

    public SequenceScorer(nn.Module<Tensor, Tensor, Tensor> model, Device device, int outputs)
    {
        this.model = model;
        this.device = device;
        Outputs = outputs;
        if (model is RecurrentSequenceModel { Encoder.Options: var o })
            StepWeights = RecurrentLayers.StepWeights(o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumberOfLayers, o.Bidirectional ? 2 : 1);
    }

    /// <summary>Weights the recurrent layers multiply per time step and row (0 when the model is not a <see cref="RecurrentSequenceModel"/>).</summary>
    internal long StepWeights { get; }

    /// <summary>Outputs per row.</summary>
    public int Outputs { get; }

    /// <summary>Scores one sequence of (already normalized) token ids into <paramref name="output"/> (length <see cref="Outputs"/>).</summary>
    public void ScoreOne(ReadOnlySpan<int> ids, Span<float> output)
    {
        using var inference = inference_mode();
        using var threads = IntraOpThreads.ForSmallSteps(device, StepWeights);
        using var scope = NewDisposeScope();
        int n = ids.Length;
        if (n > RecurrentEncoder.StreamWindow && model is RecurrentSequenceModel sequenceModel)
        {
            // Long rows (possible only when MaximumSequenceLength is 0) run in windows: memory does not grow with the row,
            // except a bidirectional encoder's part (RecurrentLength tokens, or the whole row), which it reads whole.
            long read = sequenceModel.RecurrentTokens(n);
            if (sequenceModel.Encoder.Options.Bidirectional && read > RecurrentEncoder.MaximumWholeRow)
                throw new InvalidOperationException(
                    $"A row has {n:N0} tokens. A bidirectional model reads a row whole (its backward direction starts at the row's end), so its memory grows with the row; " +
                    $"this model was trained with MaximumSequenceLength = 0 (no limit) and MaximumRecurrentLength = 0 (the whole row) and scores rows of at most {RecurrentEncoder.MaximumWholeRow:N0} tokens. " +
                    "Cut the rows before scoring (TokenizerOptions.MaximumLength, or PadSequences), or train with a MaximumSequenceLength or a MaximumRecurrentLength.");
            CopyOut(sequenceModel.ForwardInWindows(ToDevice(ids)), output);
            return;
        }
        long[] buffer = new long[Math.Max(1, n)]; // an empty row runs one <pad> step with length 0 (the encoder zeroes it)
        for (int i = 0; i < n; i++)
            buffer[i] = ids[i];
        Tensor tokens = tensor(buffer, new long[] { 1, buffer.Length }, ScalarType.Int64);
        if (device.type != DeviceType.CPU)
            tokens = tokens.to(device);
        Tensor result = model.call(tokens, tensor(new long[] { n }, ScalarType.Int64));
        CopyOut(result, output);
    }

    /// <summary>
    /// Scores <paramref name="count"/> sequences into <paramref name="output"/> (row-major, <see cref="Outputs"/> per row):
    /// rows are sorted by length and run <see cref="ChunkRows"/> at a time, so batches carry little padding.
    /// </summary>
    public void Score(int[][] sequences, int count, float[] output)
    {
        if (count == 0)
            return;
        int[] order = Enumerable.Range(0, count).ToArray();
        Array.Sort(order, (a, b) => sequences[a].Length != sequences[b].Length ? sequences[a].Length.CompareTo(sequences[b].Length) : a.CompareTo(b));

        // Rows longer than a streaming window (only with MaximumSequenceLength 0) are scored one at a time, last (the
        // sort put them there), so no batch is padded to them and forward-only networks read them in windows.
        int regular = count;
        while (regular > 0 && sequences[order[regular - 1]].Length > RecurrentEncoder.StreamWindow)
            regular--;
        for (int k = regular; k < count; k++)
            ScoreOne(sequences[order[k]], output.AsSpan(order[k] * Outputs, Outputs));
        count = regular;
        if (count == 0)
            return;
        var batcher = new SequenceBatcher(sequences, null, null, ChunkRows, bucketByLength: false, seed: 0, device);
        int chunks = (count + ChunkRows - 1) / ChunkRows;
        int threads = device.type == DeviceType.CPU ? IntraOpThreads.Current : 1;
        if (threads <= 1)
        {
            float[] chunkOutput = new float[ChunkRows * Outputs];
            using var inference = inference_mode();
            for (int chunk = 0; chunk < chunks; chunk++)
                ScoreChunk(batcher, order, chunk, count, output, chunkOutput);
            return;
        }

        // Chunks are independent: each worker takes the next one and runs it on one intra-op thread (inference mode and
        // dispose scopes are per thread in TorchSharp), writing only its own rows of the output.
        int next = -1;
        TorchWorkers.Run(Math.Min(threads, chunks), _ =>
        {
            using var inference = inference_mode();
            float[] chunkOutput = new float[ChunkRows * Outputs];
            for (int chunk = Interlocked.Increment(ref next); chunk < chunks; chunk = Interlocked.Increment(ref next))
                ScoreChunk(batcher, order, chunk, count, output, chunkOutput);
        });
    }

    private Tensor ToDevice(ReadOnlySpan<int> ids)
    {
        long[] buffer = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++)
            buffer[i] = ids[i];
        Tensor tokens = tensor(buffer, new long[] { 1, buffer.Length }, ScalarType.Int64);
        return device.type == DeviceType.CPU ? tokens : tokens.to(device);
    }

    private void ScoreChunk(SequenceBatcher batcher, int[] order, int chunk, int count, float[] output, float[] chunkOutput)
    {
        int start = chunk * ChunkRows;
        int[] rows = order.AsSpan(start, Math.Min(ChunkRows, count - start)).ToArray();
        using var scope = NewDisposeScope();
        using SequenceBatch batch = batcher.MakeBatch(rows);
        Tensor result = model.call(batch.Tokens, batch.Lengths);
        CopyOut(result, chunkOutput.AsSpan(0, rows.Length * Outputs));
        for (int i = 0; i < rows.Length; i++)
            chunkOutput.AsSpan(i * Outputs, Outputs).CopyTo(output.AsSpan(rows[i] * Outputs, Outputs));
    }

    private static void CopyOut(Tensor result, Span<float> destination)
    {
        Tensor cpu = result.device_type == DeviceType.CPU ? result.contiguous() : result.cpu().contiguous();
        MemoryMarshal.Cast<byte, float>(cpu.bytes).CopyTo(destination);
    }
}
