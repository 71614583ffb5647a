using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.Recurrent;

/// <summary>
/// <see cref="TokenizeToIdsTransformer"/> (Word and Character modes) as ONNX nodes: text <c>[N, 1]</c> in, token ids
/// <c>[N, T]</c> (int32, right-padded with 0: row r's ids are exactly ML.NET's vector for row r) out.
/// </summary>
/// <remarks>
/// <para>The text is cut into characters (Unicode scalar values) by ONNX Runtime's <c>Tokenizer</c> (<c>com.microsoft</c>,
/// character mode), the one string-splitting operator at the ONNX opset ML.NET's converter writes (12); everything after
/// that is numeric, because opset 12 has no operator that joins strings.</para>
/// <para>Character mode: one <c>LabelEncoder</c> maps each character (lower-cased as the transformer does) to its id.</para>
/// <para>Word mode: a <c>LabelEncoder</c> gives every character its kind (separator, word character, apostrophe, other)
/// exactly as <see cref="WordScanner"/> classifies it (<see cref="CharacterTables"/>); token boundaries follow from the
/// kinds of each character and its neighbours (a word is a run of word characters, an apostrophe between two of them
/// joins them; with KeepPunctuation every other non-separator character is a token of its own). A token's id is looked up
/// numerically: a second <c>LabelEncoder</c> numbers each (standardized) character of the vocabulary, a token's two
/// position-weighted sums of random table values form a 62-bit key, a third <c>LabelEncoder</c> maps keys to candidate
/// ids, and the candidate is then verified character by character against the vocabulary (length and every
/// character), so a token gets an id only if its text equals the vocabulary entry: the lookup is exact, hash collisions
/// included.</para>
/// </remarks>
internal static class TokenizerOnnx
{
    private const string PadText = "<pad>"; // never a single character, so never confused with real text
    private const int HashPositions = 64;

    /// <summary>Adds the nodes; returns the int64 ids <c>[N, T]</c> and lengths <c>[N]</c>.</summary>
    public static (string Ids, string Lengths) Encode(OnnxGraph g, string text, TokenCodec codec, int? maximumLength, TruncationSide truncation)
    {
        string flat = g.Reshape(text, -1);
        string chars = g.NodeWith("Tokenizer", new[] { flat }, n =>
        {
            n.AddAttribute("mark", 0L);
            n.AddAttribute("mincharnum", 1L);
            n.AddAttribute("pad_value", PadText);
            n.AddAttribute("separators", new[] { "" });
        }, OnnxGraph.MicrosoftDomain); // [N, L] characters, padded with PadText

        (string content, string counts) = codec switch
        {
            CharacterTokenCodec character => Characters(g, chars, character),
            WordTokenCodec word => Words(g, chars, word),
            _ => throw new InvalidOperationException($"Tokenizer mode {codec.Mode} has no ONNX form."),
        };
        return Frame(g, content, counts, codec, maximumLength ?? 0, truncation);
    }

    /// <summary>Character mode: one id per character (0 for padding), and the number of characters per row.</summary>
    private static (string Ids, string Counts) Characters(OnnxGraph g, string chars, CharacterTokenCodec codec)
    {
        TokenVocabulary vocabulary = codec.Vocabulary;
        CharacterTable table = CharacterTables.For(codec.Lowercase);
        var tokenIds = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int id = vocabulary.SpecialTokenCount; id < vocabulary.Count; id++)
        {
            string token = vocabulary.Tokens[id];
            if (IsOneScalar(token))
                tokenIds.TryAdd(token, id);
        }
        var keys = new List<string> { PadText };
        var values = new List<long> { TokenVocabulary.PaddingId };
        foreach (var (c, standardized) in table.CharactersStandardizingTo(new HashSet<string>(tokenIds.Keys)))
        {
            keys.Add(c);
            values.Add(tokenIds[standardized]);
        }
        string ids = LabelEncoder(g, chars, keys, values, TokenVocabulary.UnknownId);
        string counts = g.Reduce("ReduceSum", g.Cast(g.Not(g.Equal(ids, g.Int64Scalar(0))), typeof(long)), new long[] { 1 }, keepDims: false);
        return (ids, counts);
    }

    /// <summary>Word mode: the ids of each row's tokens, left-aligned in <c>[N, T]</c>, and the number of tokens per row.</summary>
    private static (string Ids, string Counts) Words(OnnxGraph g, string chars, WordTokenCodec codec)
    {
        CharacterTable table = CharacterTables.For(codec.Lowercase);
        var lookup = WordLookup.Build(codec.Vocabulary);

        // Kinds and character numbers, with a separator column on both sides of every row: [N, W], W = L + 2.
        var kindKeys = new List<string> { PadText };
        var kindValues = new List<long> { CharacterTables.Separator };
        foreach (var (c, kind) in table.Kinds)
        {
            kindKeys.Add(c);
            kindValues.Add(kind);
        }
        string kinds = LabelEncoder(g, chars, kindKeys, kindValues, CharacterTables.Word);
        var charKeys = new List<string>();
        var charValues = new List<long>();
        foreach (var (c, standardized) in table.CharactersStandardizingTo(new HashSet<string>(lookup.CharacterNumbers.Keys)))
        {
            charKeys.Add(c);
            charValues.Add(lookup.CharacterNumbers[standardized]);
        }
        string numbers = charKeys.Count > 0 ? LabelEncoder(g, chars, charKeys, charValues, 0) : g.Mul(kinds, g.Int64Scalar(0));

        string rows = g.Dim(chars, 0);
        string edge = g.ZerosInt64(g.Concat(0, rows, g.Int64(1)));
        kinds = g.Concat(1, edge, kinds, edge);
        numbers = g.Concat(1, edge, numbers, edge);

        string one = g.Int64Scalar(1);
        string word = g.Cast(g.Equal(kinds, g.Int64Scalar(CharacterTables.Word)), typeof(long));
        string apostrophe = g.Cast(g.Equal(kinds, g.Int64Scalar(CharacterTables.Apostrophe)), typeof(long));
        string joined = g.Max(word, g.Mul(apostrophe, g.Mul(Previous(g, word, edge), Next(g, word, edge))));
        string inToken = codec.KeepPunctuation ? g.Cast(g.Not(g.Equal(kinds, g.Int64Scalar(CharacterTables.Separator))), typeof(long)) : joined;
        string starts = g.Mul(inToken, g.Sub(one, g.Mul(joined, Previous(g, joined, edge))));
        string ends = g.Mul(inToken, g.Sub(one, g.Mul(joined, Next(g, joined, edge))));
        string width = g.Dim(kinds, 1);

        // Everything per token runs on the flattened [N·W] grid: tokens never cross a row (edges are separators).
        string startFlat = g.Reshape(starts, -1), endFlat = g.Reshape(ends, -1), inFlat = g.Reshape(inToken, -1), numberFlat = g.Reshape(numbers, -1);
        string first = g.Reshape(g.Node("NonZero", startFlat), -1); // [K] position of each token's first character
        string last = g.Reshape(g.Node("NonZero", endFlat), -1);    // [K] … and of its last
        string tokenOfChar = g.Max(g.Sub(g.CumSum(startFlat, 0), one), g.Int64Scalar(0));
        string firstOfChar = g.Gather(g.Concat(0, first, g.Int64(0)), tokenOfChar);
        string position = g.Sub(g.Range(g.Squeeze(g.Node("Shape", startFlat), 0)), firstOfChar); // character's position in its token

        // Candidate id from the key of two position-weighted sums.
        string hashIndex = g.Add(g.Mul(numberFlat, g.Int64Scalar(HashPositions)), g.Min(position, g.Int64Scalar(HashPositions - 1)));
        string key1 = TokenSum(g, g.Mul(g.Gather(g.Int64s(lookup.Table1, new long[] { lookup.Table1.Length }, "hash1"), hashIndex), inFlat), first, last);
        string key2 = TokenSum(g, g.Mul(g.Gather(g.Int64s(lookup.Table2, new long[] { lookup.Table2.Length }, "hash2"), hashIndex), inFlat), first, last);
        string modulus = g.Int64Scalar(WordLookup.KeyModulus);
        string key = g.Add(g.Mul(g.Node("Mod", key1, modulus), modulus), g.Node("Mod", key2, modulus));
        string candidate = lookup.Keys.Length > 0
            ? g.NodeWith("LabelEncoder", new[] { key }, n =>
            {
                n.AddAttribute("keys_int64s", lookup.Keys);
                n.AddAttribute("values_int64s", lookup.Ids);
                n.AddAttribute("default_int64", (long)TokenVocabulary.UnknownId);
            }, OnnxGraph.MlDomain)
            : g.Add(g.Mul(key, g.Int64Scalar(0)), one);

        // Verification: the candidate's length and every character must match.
        string offsets = g.Int64s(lookup.Offsets, new long[] { lookup.Offsets.Length }, "token_offsets");
        string lengths = g.Int64s(lookup.Lengths, new long[] { lookup.Lengths.Length }, "token_lengths");
        string characters = g.Int64s(lookup.Characters, new long[] { lookup.Characters.Length }, "token_characters");
        string candidateOfChar = g.Gather(g.Concat(0, candidate, g.Int64(TokenVocabulary.UnknownId)), tokenOfChar);
        string expectedLength = g.Gather(lengths, candidateOfChar);
        string at = g.Max(g.Min(position, g.Sub(expectedLength, one)), g.Int64Scalar(0));
        string expected = g.Gather(characters, g.Add(g.Gather(offsets, candidateOfChar), at));
        string wrong = g.Cast(g.Or(g.Not(g.Equal(expected, numberFlat)), g.Not(g.Less(position, expectedLength))), typeof(long));
        string mismatches = TokenSum(g, g.Mul(wrong, inFlat), first, last);
        string tokenLength = g.Add(g.Sub(last, first), one);
        string ok = g.And(g.Equal(mismatches, g.Int64Scalar(0)), g.Equal(tokenLength, g.Gather(lengths, candidate)));
        string ids = g.Where(ok, candidate, g.Int64Scalar(TokenVocabulary.UnknownId));

        // Back to rows: token k of the flattened grid is token (k − first token of its row) of its row.
        string counts = g.Reduce("ReduceSum", starts, new long[] { 1 }, keepDims: false);
        string row = g.Div(first, width);
        string column = g.Sub(g.Range(g.Squeeze(g.Node("Shape", first), 0)), g.Gather(g.CumSum(counts, 0, exclusive: true), row));
        string columns = g.Reduce("ReduceMax", counts, new long[] { 0 }, keepDims: true);
        string grid = g.ZerosInt64(g.Concat(0, rows, columns));
        string indices = g.Concat(1, g.Unsqueeze(row, 1), g.Unsqueeze(column, 1));
        return (g.Node("ScatterND", grid, indices, ids), counts);
    }

    /// <summary>
    /// Adds markers and truncation as <see cref="TokenCodec.EncodeRow"/> does: <c>&lt;bos&gt;</c>, the content cut to
    /// maximumLength − markers tokens on the truncation side, <c>&lt;eos&gt;</c>. Returns ids <c>[N, T]</c> and lengths <c>[N]</c>.
    /// </summary>
    private static (string Ids, string Lengths) Frame(OnnxGraph g, string content, string counts, TokenCodec codec, int maximumLength, TruncationSide truncation)
    {
        int bos = codec.AddsBeginningOfSequence ? 1 : 0, eos = codec.AddsEndOfSequence ? 1 : 0;
        string kept = counts;
        if (maximumLength > 0)
            kept = g.Min(counts, g.Int64Scalar(Math.Max(0, maximumLength - bos - eos)));
        if (bos == 0 && eos == 0 && maximumLength == 0)
            return (content, counts);
        string skip = truncation == TruncationSide.Pre ? g.Sub(counts, kept) : g.Mul(counts, g.Int64Scalar(0));
        string lengths = g.Add(kept, g.Int64Scalar(bos + eos));
        string width = g.Reduce("ReduceMax", lengths, new long[] { 0 }, keepDims: true);
        string positions = g.Unsqueeze(g.Range(g.Squeeze(width, 0)), 0); // [1, T]
        // Content position of output position j: j − bos + skip, read from the content with a zero column appended.
        string padded = g.Concat(1, content, g.ZerosInt64(g.Concat(0, g.Dim(content, 0), g.Int64(1))));
        string source = g.Add(g.Sub(positions, g.Int64Scalar(bos)), g.Unsqueeze(skip, 1));
        source = g.Max(g.Min(source, g.Sub(g.Dim(padded, 1), g.Int64(1))), g.Int64Scalar(0));
        string ids = g.NodeWith("GatherElements", new[] { padded, source }, n => n.AddAttribute("axis", 1L));
        string keptColumn = g.Unsqueeze(kept, 1);
        string inContent = g.And(g.Not(g.Less(positions, g.Int64Scalar(bos))), g.Less(positions, g.Add(keptColumn, g.Int64Scalar(bos))));
        ids = g.Where(inContent, ids, g.Int64Scalar(0));
        if (bos == 1)
            ids = g.Where(g.Equal(positions, g.Int64Scalar(0)), g.Int64Scalar(codec.Vocabulary.BeginningOfSequenceId!.Value), ids);
        if (eos == 1)
            ids = g.Where(g.Equal(positions, g.Add(keptColumn, g.Int64Scalar(bos))), g.Int64Scalar(codec.Vocabulary.EndOfSequenceId!.Value), ids);
        return (ids, lengths);
    }

    /// <summary>Per token, the sum of <paramref name="values"/> (flat, one per character) over its characters.</summary>
    private static string TokenSum(OnnxGraph g, string values, string first, string last)
    {
        string running = g.CumSum(values, 0);
        return g.Add(g.Sub(g.Gather(running, last), g.Gather(running, first)), g.Gather(values, first));
    }

    /// <summary>Each column's left neighbour (the first column's is <paramref name="edge"/>).</summary>
    private static string Previous(OnnxGraph g, string x, string edge) => g.Concat(1, edge, g.Slice(x, 0, -1, 1));

    /// <summary>Each column's right neighbour (the last column's is <paramref name="edge"/>).</summary>
    private static string Next(OnnxGraph g, string x, string edge) => g.Concat(1, g.Slice(x, 1, long.MaxValue, 1), edge);

    private static string LabelEncoder(OnnxGraph g, string input, List<string> keys, List<long> values, long defaultValue) =>
        g.NodeWith("LabelEncoder", new[] { input }, n =>
        {
            n.AddAttribute("keys_strings", keys);
            n.AddAttribute("values_int64s", values);
            n.AddAttribute("default_int64", defaultValue);
        }, OnnxGraph.MlDomain);

    private static bool IsOneScalar(string token) =>
        token.Length == 1 ? !char.IsSurrogate(token[0]) : token.Length == 2 && char.IsSurrogatePair(token[0], token[1]);

    /// <summary>The Word-mode vocabulary as numeric tables (see the class remarks).</summary>
    private sealed class WordLookup
    {
        public const long KeyModulus = 1L << 31;

        public Dictionary<string, long> CharacterNumbers { get; } = new(StringComparer.Ordinal);

        public long[] Table1 { get; private set; } = Array.Empty<long>();

        public long[] Table2 { get; private set; } = Array.Empty<long>();

        public long[] Keys { get; private set; } = Array.Empty<long>();

        public long[] Ids { get; private set; } = Array.Empty<long>();

        /// <summary>Per id: where its characters start in <see cref="Characters"/>, and how many there are (0 for reserved ids).</summary>
        public long[] Offsets { get; private set; } = Array.Empty<long>();

        public long[] Lengths { get; private set; } = Array.Empty<long>();

        public long[] Characters { get; private set; } = Array.Empty<long>();

        public static WordLookup Build(TokenVocabulary vocabulary)
        {
            var lookup = new WordLookup();
            var tokens = new List<(int Id, long[] Numbers)>();
            var characters = new List<long> { 0 };
            lookup.Offsets = new long[vocabulary.Count];
            lookup.Lengths = new long[vocabulary.Count];
            for (int id = vocabulary.SpecialTokenCount; id < vocabulary.Count; id++)
            {
                string token = vocabulary.Tokens[id];
                if (token.Length == 0 || !vocabulary.TryGetId(token, out int canonical) || canonical != id)
                    continue; // a repeated token keeps its first id, as the transformer's lookup does
                var numbers = new List<long>();
                bool encodable = true;
                for (int i = 0; i < token.Length; i++)
                {
                    if (Rune.DecodeFromUtf16(token.AsSpan(i), out Rune rune, out int used) != System.Buffers.OperationStatus.Done)
                    {
                        encodable = false; // a lone surrogate cannot reach the graph (UTF-8), so no text can match it
                        break;
                    }
                    string c = rune.ToString();
                    if (!lookup.CharacterNumbers.TryGetValue(c, out long number))
                        lookup.CharacterNumbers[c] = number = lookup.CharacterNumbers.Count + 1;
                    numbers.Add(number);
                    i += used - 1;
                }
                if (!encodable)
                    continue;
                lookup.Offsets[id] = characters.Count;
                lookup.Lengths[id] = numbers.Count;
                characters.AddRange(numbers);
                tokens.Add((id, numbers.ToArray()));
            }
            lookup.Characters = characters.ToArray();

            int size = (lookup.CharacterNumbers.Count + 1) * HashPositions;
            for (int seed = 1; ; seed++)
            {
                var rng = new Random(seed);
                long[] t1 = new long[size], t2 = new long[size];
                for (int i = 0; i < size; i++)
                {
                    t1[i] = rng.NextInt64(1L << 24);
                    t2[i] = rng.NextInt64(1L << 24);
                }
                var keys = new Dictionary<long, long>();
                bool unique = true;
                foreach (var (id, numbers) in tokens)
                {
                    long s1 = 0, s2 = 0;
                    for (int p = 0; p < numbers.Length; p++)
                    {
                        long index = numbers[p] * HashPositions + Math.Min(p, HashPositions - 1);
                        s1 += t1[index];
                        s2 += t2[index];
                    }
                    long key = (s1 % KeyModulus) * KeyModulus + s2 % KeyModulus;
                    if (!keys.TryAdd(key, id))
                    {
                        unique = false;
                        break;
                    }
                }
                if (unique)
                {
                    lookup.Table1 = t1;
                    lookup.Table2 = t2;
                    lookup.Keys = keys.Keys.ToArray();
                    lookup.Ids = keys.Values.ToArray();
                    return lookup;
                }
                if (seed == 100)
                    throw new InvalidOperationException("Could not find collision-free token keys for the vocabulary.");
            }
        }
    }
}

/// <summary>Exports a <see cref="TokenizeToIdsTransformer"/>'s column, or explains why it cannot.</summary>
internal static class TokenizeToIdsOnnx
{
    /// <summary>Throws <see cref="NotSupportedException"/> naming the component and the limitation when the mode has no ONNX form.</summary>
    public static void CheckExportable(TokenizeToIdsTransformer transformer)
    {
        if (transformer.Mode == TokenizerMode.Pretrained)
            throw new NotSupportedException(
                $"Cannot export the TokenizeToIds transformer ('{transformer.InputColumnName}' → '{transformer.OutputColumnName}') to ONNX: " +
                "Pretrained mode runs a Microsoft.ML.Tokenizers model (BPE, WordPiece, SentencePiece, Tiktoken), which has no ONNX operator " +
                "form at the opset ML.NET's converter writes. Tokenize outside the graph and export the rest of the pipeline from the token-id column: " +
                $"mlContext.Model.ConvertToOnnx(modelAfterTheTokenizer, tokenIds, stream), where tokenIds holds the '{transformer.OutputColumnName}' column and starts there " +
                "(mlContext.Data.Cache(tokenizedData), or ids loaded with mlContext.Data.LoadFromEnumerable), because the converter also walks back through " +
                "every transform behind the data it is given (docs/deployment.md, \"Pretrained tokenizers\").");
    }

    public static void Save(OnnxContext context, TokenizeToIdsTransformer transformer)
    {
        CheckExportable(transformer);
        var g = new OnnxGraph(context, "TokenizeToIds");
        string text = context.GetVariableName(transformer.InputColumnName);
        var (ids, _) = TokenizerOnnx.Encode(g, text, transformer.Codec, transformer.MaximumLength, transformer.Truncation);
        g.NodeWith("Cast", new[] { ids }, n => n.AddAttribute("to", typeof(int)),
            output: g.DeclareColumn(new VectorDataViewType(NumberDataViewType.Int32), transformer.OutputColumnName));
    }
}
