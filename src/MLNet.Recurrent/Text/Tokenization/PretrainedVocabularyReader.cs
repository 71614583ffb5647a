using System.IO.Compression;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace MLNet.Recurrent;

/// <summary>
/// Lists a pretrained tokenizer's tokens by id (its own id space), from the tokenizer's public
/// vocabulary where it has one and otherwise from the saved source bytes, parsed the way
/// <c>Microsoft.ML.Tokenizers</c> parses them. Used for the <c>"Vocabulary"</c> annotation and the id range.
/// </summary>
internal static class PretrainedVocabularyReader
{
    public static string[] ReadTokens(PretrainedTokenizerKind kind, Tokenizer tokenizer, byte[][] blobs)
    {
        var byId = new Dictionary<int, string>();
        switch (kind)
        {
            case PretrainedTokenizerKind.Tiktoken:
                ReadTiktoken(blobs[0], byId);
                AddAll(byId, ((TiktokenTokenizer)tokenizer).SpecialTokens);
                break;
            case PretrainedTokenizerKind.Bpe:
                AddAll(byId, ((BpeTokenizer)tokenizer).Vocabulary);
                AddAll(byId, ((BpeTokenizer)tokenizer).SpecialTokens);
                break;
            case PretrainedTokenizerKind.WordPiece:
            case PretrainedTokenizerKind.Bert:
                ReadLines(blobs[0], byId);
                AddAll(byId, ((WordPieceTokenizer)tokenizer).SpecialTokens);
                break;
            case PretrainedTokenizerKind.SentencePiece:
                AddAll(byId, ((SentencePieceTokenizer)tokenizer).Vocabulary);
                AddAll(byId, ((SentencePieceTokenizer)tokenizer).SpecialTokens);
                break;
        }
        if (byId.Count == 0)
            throw new InvalidDataException($"The {kind} tokenizer has an empty vocabulary.");
        int max = byId.Keys.Max();
        if (byId.Keys.Min() < 0 || max > (1 << 26))
            throw new InvalidDataException($"The {kind} tokenizer's ids are outside 0..{1 << 26}.");
        var tokens = new string[max + 1];
        Array.Fill(tokens, "");
        foreach (var (id, token) in byId)
            tokens[id] = token;
        return tokens;
    }

    private static void AddAll(Dictionary<int, string> byId, IReadOnlyDictionary<string, int>? tokens)
    {
        if (tokens is null)
            return;
        foreach (var (token, id) in tokens)
            byId.TryAdd(id, token);
    }

    /// <summary>Line number = id, empty lines are holes (as <c>WordPieceTokenizer</c> reads <c>vocab.txt</c>).</summary>
    private static void ReadLines(byte[] data, Dictionary<int, string> byId)
    {
        using var reader = new StreamReader(new MemoryStream(data, writable: false));
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine(), lineNumber++)
        {
            if (line.Length != 0)
                byId.TryAdd(lineNumber, line);
        }
    }

    /// <summary>
    /// The Tiktoken ranks format as <c>TiktokenTokenizer</c> reads it: an optional <c>Capacity: N</c> line, then
    /// either one base64 token per line (rank = line number, empty lines are holes) or <c>base64 rank</c> pairs.
    /// Token text is the UTF-8 decoding of the token's bytes (partial characters become U+FFFD).
    /// </summary>
    private static void ReadTiktoken(byte[] deflated, Dictionary<int, string> byId)
    {
        using var reader = new StreamReader(new DeflateStream(new MemoryStream(deflated, writable: false), CompressionMode.Decompress));
        string? line = reader.ReadLine();
        if (line is not null && line.StartsWith("Capacity: ", StringComparison.Ordinal))
            line = reader.ReadLine();
        while (line is not null && line.Length == 0)
            line = reader.ReadLine();
        bool ranked = line is not null && line.Contains(' ');
        for (int lineNumber = 0; line is not null; line = reader.ReadLine(), lineNumber++)
        {
            if (line.Length == 0)
                continue;
            if (!ranked)
            {
                byId.TryAdd(lineNumber, Encoding.UTF8.GetString(Convert.FromBase64String(line)));
                continue;
            }
            int space = line.IndexOf(' ');
            if (space <= 0 || !int.TryParse(line.AsSpan(space + 1), out int rank))
                throw new FormatException("Invalid line in the Tiktoken ranks data.");
            byId.TryAdd(rank, Encoding.UTF8.GetString(Convert.FromBase64String(line[..space])));
        }
    }
}
