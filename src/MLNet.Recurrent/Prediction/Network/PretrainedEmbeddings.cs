using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// Loads word vectors in GloVe / word2vec text format (<c>word v1 v2 …</c> per line, optionally a word2vec header line
/// <c>count dimension</c>) into an embedding, mapped onto token ids through the vocabulary texts. Tokens are matched
/// exactly first, then case-insensitively (GloVe is lower-case). Tokens without a vector start from a normal
/// distribution with the loaded vectors' standard deviation; row 0 (<c>&lt;pad&gt;</c>) stays zero.
/// </summary>
internal static class PretrainedEmbeddings
{
    public static void Apply(Embedding embedding, string path, string[] tokenTexts, Generator generator, IChannel channel)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{nameof(RecurrentTrainerOptions.PretrainedEmbeddingsPath)} '{path}' does not exist.", path);
        CheckIsText(path);
        long rows = embedding.weight!.shape[0];
        int dim = (int)embedding.weight.shape[1];

        var exact = new Dictionary<string, int>(StringComparer.Ordinal);
        var folded = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int id = 1; id < Math.Min(rows, tokenTexts.Length); id++)
        {
            string token = tokenTexts[id];
            if (string.IsNullOrEmpty(token))
                continue;
            exact.TryAdd(token, id);
            folded.TryAdd(token, id);
        }

        var vectors = new float[rows * dim];
        var quality = new byte[rows]; // 0 none, 1 case-insensitive match, 2 exact match
        int fileDim = -1;
        long lineNumber = 0;
        foreach (string rawLine in File.ReadLines(path))
        {
            lineNumber++;
            string line = rawLine.TrimEnd('\r', '\n', ' ', '\t');
            if (line.Length == 0)
                continue;
            if (fileDim < 0)
            {
                string[] first = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (first.Length == 2 && long.TryParse(first[0], out _) && int.TryParse(first[1], out int headerDim))
                {
                    fileDim = headerDim; // word2vec header "count dimension"
                    CheckDimension(fileDim, dim, path);
                    continue;
                }
                fileDim = first.Length - 1;
                if (fileDim < 1 || first.Skip(1).Any(f => !float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                    throw NotAVectorFile(path, $"line {lineNumber} is not a word followed by numbers");
                CheckDimension(fileDim, dim, path);
            }

            // The numbers are the last fileDim fields; everything before them is the word (a few GloVe words contain spaces).
            int space = line.Length;
            for (int k = 0; k < fileDim && space > 0; k++)
                space = line.LastIndexOf(' ', space - 1);
            if (space <= 0)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected a word followed by {fileDim} numbers.");
            string word = line[..space];
            int id;
            byte match;
            if (exact.TryGetValue(word, out id))
                match = 2;
            else if (folded.TryGetValue(word, out id))
                match = 1;
            else
                continue; // most lines of a large file: skip without parsing the numbers
            if (quality[id] >= match)
                continue;
            ParseVector(line.AsSpan(space + 1), vectors.AsSpan(id * dim, dim), path, lineNumber);
            quality[id] = match;
        }
        if (fileDim < 0)
            throw new InvalidDataException($"{path}: the pretrained embeddings file is empty.");

        int found = quality.Count(q => q > 0);
        double std = StandardDeviation(vectors, quality, dim);
        using (no_grad())
        using (NewDisposeScope())
        {
            Tensor random = empty(rows, dim);
            random.normal_(0, found > 0 ? std : 1, generator);
            ReadOnlySpan<float> noise = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(random.bytes);
            for (long id = 0; id < rows; id++)
            {
                Span<float> row = vectors.AsSpan((int)(id * dim), dim);
                if (id == 0)
                    row.Clear();
                else if (quality[id] == 0)
                    noise.Slice((int)(id * dim), dim).CopyTo(row);
            }
            embedding.weight.copy_(tensor(vectors, new long[] { rows, dim }));
        }
        channel.Info($"Pretrained embeddings: {found} of {rows - 1} vocabulary tokens found in '{path}' ({dim} dimensions); the others start random.");
        if (found == 0)
            channel.Warning($"No vocabulary token was found in the pretrained embeddings file '{path}'; check that it matches the tokenizer (case, language).");
    }

    /// <summary>Refuses a binary file (word2vec's binary format, or anything else) before reading it line by line.</summary>
    private static void CheckIsText(string path)
    {
        Span<byte> head = stackalloc byte[4096];
        using (FileStream stream = File.OpenRead(path))
            head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        if (head.Contains((byte)0))
            throw NotAVectorFile(path, "it holds binary data (word2vec's binary .bin format is not supported; save the vectors as text)");
    }

    private static InvalidDataException NotAVectorFile(string path, string why) => new(
        $"{nameof(RecurrentTrainerOptions.PretrainedEmbeddingsPath)} '{path}' is not a GloVe / word2vec text file: {why}. " +
        "Expected one vector per line, 'word v1 v2 …', optionally after a word2vec header line 'count dimension'.");

    private static void CheckDimension(int fileDim, int embeddingSize, string path)
    {
        if (fileDim != embeddingSize)
            throw new ArgumentException(
                $"{nameof(RecurrentTrainerOptions.PretrainedEmbeddingsPath)} '{path}' has {fileDim}-dimensional vectors but {nameof(RecurrentTrainerOptions.EmbeddingSize)} is {embeddingSize}; set {nameof(RecurrentTrainerOptions.EmbeddingSize)} = {fileDim}.",
                nameof(RecurrentTrainerOptions.EmbeddingSize));
    }

    private static void ParseVector(ReadOnlySpan<char> text, Span<float> destination, string path, long lineNumber)
    {
        int n = 0;
        foreach (Range r in text.Split(' '))
        {
            ReadOnlySpan<char> part = text[r];
            if (part.IsEmpty)
                continue;
            if (n == destination.Length || !float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                throw new InvalidDataException($"{path}, line {lineNumber}: expected a word followed by {destination.Length} numbers.");
            if (!float.IsFinite(value))
                throw new InvalidDataException($"{path}, line {lineNumber}: value {n + 1} of the vector ('{part}') is not a finite single-precision number; every vector element must be finite (at most ±3.4e38).");
            destination[n++] = value;
        }
        if (n != destination.Length)
            throw new InvalidDataException($"{path}, line {lineNumber}: expected a word followed by {destination.Length} numbers, found {n}.");
    }

    private static double StandardDeviation(float[] vectors, byte[] quality, int dim)
    {
        double sum = 0, sumSquares = 0;
        long count = 0;
        for (int id = 0; id < quality.Length; id++)
        {
            if (quality[id] == 0)
                continue;
            foreach (float v in vectors.AsSpan(id * dim, dim))
            {
                sum += v;
                sumSquares += (double)v * v;
                count++;
            }
        }
        if (count == 0)
            return 1;
        double mean = sum / count;
        return Math.Sqrt(Math.Max(1e-12, sumSquares / count - mean * mean));
    }
}
