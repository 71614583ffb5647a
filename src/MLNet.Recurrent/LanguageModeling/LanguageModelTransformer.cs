using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Recurrent;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(LanguageModelTransformer), null, typeof(SignatureLoadModel),
    LanguageModelTransformer.UserName, LanguageModelTransformer.LoaderSignature)]

namespace MLNet.Recurrent;

/// <summary>
/// A trained recurrent language model (from <see cref="LanguageModelEstimator"/> or <c>mlContext.Model.Load</c>).
/// <para>
/// <b>Scoring.</b> <c>Transform</c> adds three columns per row of token ids <c>t0 … t(n−1)</c> (<c>&lt;pad&gt;</c> ids are
/// ignored, ids outside the vocabulary count as <c>&lt;unk&gt;</c>): <c>LogLikelihood</c> (<see cref="float"/>) =
/// Σ<sub>i≥1</sub> ln p(t<sub>i</sub> | t<sub>0</sub> … t<sub>i−1</sub>), starting from the initial state;
/// <c>TokenCount</c> (<see cref="int"/>) = n − 1, the number of predicted tokens (the first token is context only — give
/// rows a <c>&lt;bos&gt;</c> to score it); <c>Perplexity</c> (<see cref="float"/>) = exp(−LogLikelihood / TokenCount).
/// A row with fewer than 2 tokens has LogLikelihood 0, TokenCount 0 and Perplexity NaN. Rows are scored one at a
/// time in pipelines and <c>PredictionEngine</c>; <see cref="Evaluate"/> scores in batches.
/// </para>
/// <para>
/// <b>Generation.</b> <see cref="Generate(string, int, GenerationOptions?)"/> and <see cref="GenerateStreaming"/> encode the
/// prompt and decode the result with the tokenizer saved from the token column's annotations; the id-level
/// <see cref="Generate(IReadOnlyList{int}, int, GenerationOptions?)"/> needs no tokenizer.
/// </para>
/// Saved and loaded with the ML.NET model zip (weights, architecture and tokenizer included).
/// <para>
/// <b>Threads and ownership.</b> Thread-safe for scoring, <see cref="Evaluate"/> and generation (one prediction engine
/// per thread). ML.NET's <c>CreatePredictionEngine(model)</c> owns the model by default and disposes it with the engine;
/// to share it, create engines with <c>new PredictionEngineOptions { OwnsTransformer = false }</c>.
/// <see cref="Dispose"/> frees the native weights once calls already running have finished; every later call (a
/// generation in progress included, at its next token) throws <see cref="ObjectDisposedException"/>. A model that is
/// never disposed frees its native memory when it is collected.
/// </para>
/// </summary>
public sealed partial class LanguageModelTransformer : ITransformer, IDisposable
{
    internal const string LoaderSignature = "MLNetRecLanguageModel";
    internal const string UserName = "MLNet.Recurrent Language Model";
    internal const string RegistrationName = "LanguageModel";

    private readonly IHost host;
    private readonly ModuleOwner<RecurrentLanguageModel> owner;
    private readonly LanguageModelArchitecture architecture;
    private readonly Device device;
    private readonly LanguageModelColumns columns;
    private readonly string[]? vocabulary;
    private readonly byte[]? tokenizerModel;
    private readonly long[] tokenCounts;
    private readonly LanguageModelScorer scorer;
    private readonly LanguageModelGenerator generator;
    private readonly Lazy<TokenCodec?> codec;

    internal LanguageModelTransformer(IHost host, RecurrentLanguageModel model, Device device, LanguageModelColumns columns,
        string[]? vocabulary, byte[]? tokenizerModel, long[] tokenCounts, IReadOnlyList<TrainingProgress> history)
    {
        this.host = host;
        architecture = model.Architecture;
        this.device = device;
        this.columns = columns;
        this.vocabulary = vocabulary;
        this.tokenizerModel = tokenizerModel;
        this.tokenCounts = tokenCounts;
        TrainingHistory = history;
        model.eval();
        owner = new ModuleOwner<RecurrentLanguageModel>(model, nameof(LanguageModelTransformer));
        scorer = new LanguageModelScorer(model, device);
        generator = new LanguageModelGenerator(owner, device, tokenCounts);
        codec = new Lazy<TokenCodec?>(() => CreateCodec(tokenizerModel, vocabulary), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The token-id column scored by <c>Transform</c>.</summary>
    public string InputColumnName => columns.Input;

    /// <summary>The output column of summed natural-log likelihoods.</summary>
    public string LogLikelihoodColumnName => columns.LogLikelihood;

    /// <summary>The output column of predicted-token counts.</summary>
    public string TokenCountColumnName => columns.TokenCount;

    /// <summary>The output column of per-token perplexities.</summary>
    public string PerplexityColumnName => columns.Perplexity;

    /// <summary>Number of token ids the model predicts over, reserved ids included.</summary>
    public int VocabularySize => architecture.VocabularySize;

    /// <summary>The recurrent cell.</summary>
    public RecurrentCell Cell => architecture.Cell;

    /// <summary>Embedding dimension.</summary>
    public int EmbeddingSize => architecture.EmbeddingSize;

    /// <summary>Hidden size of each recurrent layer.</summary>
    public int HiddenSize => architecture.HiddenSize;

    /// <summary>Number of stacked recurrent layers.</summary>
    public int NumberOfLayers => architecture.NumberOfLayers;

    /// <summary>Whether the output layer shares the embedding matrix.</summary>
    public bool TieWeights => architecture.TieWeights;

    /// <summary>The token text of every id, from the token column's <c>"Vocabulary"</c> annotation, or <see langword="null"/> when it had none.</summary>
    public IReadOnlyList<string>? Vocabulary => vocabulary;

    /// <summary>Whether <see cref="Generate(string, int, GenerationOptions?)"/> can encode and decode text (the token column had a tokenizer or vocabulary annotation).</summary>
    public bool CanGenerateText => tokenizerModel is { Length: > 0 } || vocabulary is { Length: > 0 };

    /// <summary>Number of weights of the network (embedding, recurrent layers, output layer), as Keras's <c>count_params()</c>.</summary>
    public long NumberOfParameters
    {
        get
        {
            using var use = owner.Use();
            return use.Module.parameters().Sum(p => p.numel());
        }
    }

    /// <summary>Progress after every training epoch (empty for a loaded model).</summary>
    public IReadOnlyList<TrainingProgress> TrainingHistory { get; }

    /// <summary>
    /// Scores <paramref name="data"/> and returns cross-entropy, perplexity, bits per token and, with
    /// <paramref name="textColumnName"/>, bits per character of the original text.
    /// </summary>
    /// <param name="data">Data with the token-id column (and the text column when named).</param>
    /// <param name="textColumnName">The text the ids were made from, for bits per character; <see langword="null"/> (default) skips it.</param>
    /// <param name="batchSize">
    /// Rows per forward pass, at least 1. Default 32. With <see cref="LanguageModelCorpus.Continuous"/>, the number of parts
    /// the text is cut into and read side by side (see <paramref name="corpus"/>).
    /// </param>
    /// <param name="corpus">
    /// <see cref="LanguageModelCorpus.IndependentRows"/> (default): every row is scored on its own from the initial state,
    /// the same figures as <c>Transform</c>'s columns (every token of a row but its first is predicted).
    /// <see cref="LanguageModelCorpus.Continuous"/>: the rows, in order, are one text, as when training in that mode: the
    /// state is carried from row to row and every token of the text but the very first is predicted. The text is cut into
    /// <paramref name="batchSize"/> contiguous parts that are read in parallel, each from the initial state (each part's
    /// first token is the previous part's last, so no token is skipped); <paramref name="batchSize"/> 1 reads the whole text
    /// as one stream.
    /// </param>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or <paramref name="corpus"/> is not a defined value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public LanguageModelMetrics Evaluate(IDataView data, string? textColumnName = null, int batchSize = 32, LanguageModelCorpus corpus = LanguageModelCorpus.IndependentRows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!Enum.IsDefined(corpus))
            throw new ArgumentException($"corpus is {corpus}; it must be IndependentRows or Continuous.", nameof(corpus));
        owner.ThrowIfDisposed();
        var (rows, characters) = ReadForEvaluation(data, textColumnName);
        if (corpus == LanguageModelCorpus.Continuous)
        {
            var (logLikelihood, count) = ScoreContinuous(rows, batchSize);
            return LanguageModelMetrics.FromTotals(Math.Min(0, logLikelihood), count, rows.Count, characters);
        }

        // Similar lengths share a batch, so little is spent on padding.
        using var use = owner.Use();
        int[] order = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Length).ToArray();
        double sum = 0;
        long tokens = 0;
        for (int start = 0; start < order.Length; start += batchSize)
        {
            host.CheckAlive();
            int[][] batch = new int[Math.Min(batchSize, order.Length - start)][];
            for (int i = 0; i < batch.Length; i++)
                batch[i] = rows[order[start + i]];
            foreach (var (logLikelihood, count) in scorer.Score(batch))
            {
                sum += logLikelihood;
                tokens += count;
            }
        }
        return LanguageModelMetrics.FromTotals(Math.Min(0, sum), tokens, rows.Count, characters);
    }

    /// <summary>
    /// Scores <paramref name="data"/> with dynamic evaluation (Krause et al., 2018): the rows, in order, are one text, as
    /// with <see cref="Evaluate"/>'s <see cref="LanguageModelCorpus.Continuous"/> read as a single stream, but a copy of
    /// the model keeps learning on the text while it scores it — each window of
    /// <see cref="DynamicEvaluationOptions.SequenceLength"/> tokens is scored, then trained on — so later text is
    /// predicted by weights adapted to what came before (as a compressor such as PPMd adapts). Every token but the
    /// text's first is predicted once, by weights that have not seen it. The transformer itself does not change; the
    /// call costs about three times a static single-stream <see cref="Evaluate"/>.
    /// </summary>
    /// <param name="data">Data with the token-id column (and the text column when named), rows in text order.</param>
    /// <param name="textColumnName">The text the ids were made from, for bits per character; <see langword="null"/> (default) skips it.</param>
    /// <param name="options">Learning rate, window and decay of the updates; <see langword="null"/> (default) uses <see cref="DynamicEvaluationOptions"/>'s defaults.</param>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or an option is out of range.</exception>
    public LanguageModelMetrics EvaluateDynamic(IDataView data, string? textColumnName = null, DynamicEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new DynamicEvaluationOptions();
        options.Validate();
        owner.ThrowIfDisposed();
        var (rows, characters) = ReadForEvaluation(data, textColumnName);
        int[] text = rows.SelectMany(r => r).ToArray();
        (double logLikelihood, long count) result;
        using (owner.Use())
            result = DynamicEvaluator.Score(owner.Unguarded, device, text, options, host.CheckAlive);
        return LanguageModelMetrics.FromTotals(Math.Min(0, result.logLikelihood), result.count, rows.Count, characters);
    }

    /// <summary>The rows of token ids (read by the token-id contract) and, with <paramref name="textColumnName"/>, the characters of the text.</summary>
    private (List<int[]> Rows, long? Characters) ReadForEvaluation(IDataView data, string? textColumnName)
    {
        TokenIdColumn ids = TokenIdColumn.Find(data.Schema, InputColumnName, nameof(data), role: "input");
        DataViewSchema.Column? text = null;
        if (textColumnName is not null)
        {
            text = data.Schema.GetColumnOrNull(textColumnName) ?? throw new ArgumentException($"Column '{textColumnName}' (the text) is not in the data.", nameof(textColumnName));
            if (text.Value.Type is not TextDataViewType)
                throw new ArgumentException($"Column '{textColumnName}' is {text.Value.Type}; it must be text.", nameof(textColumnName));
        }

        List<int[]> rows = ids.ReadRows(data, VocabularySize, 0, host.CheckAlive).Rows;
        long characters = 0;
        if (text is { } textColumn)
        {
            using DataViewRowCursor cursor = data.GetRowCursor(new[] { textColumn });
            var getText = cursor.GetGetter<ReadOnlyMemory<char>>(textColumn);
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                getText(ref value);
                characters += LanguageModelEvaluator.CountCharacters(value.Span);
            }
        }

        return (rows, text is null ? null : characters);
    }

    /// <summary>
    /// The rows as one text cut into <paramref name="parts"/> contiguous parts of nearly equal length that overlap by one
    /// token (a part's first token is only context), scored side by side: every token but the text's first is predicted once.
    /// </summary>
    internal (double LogLikelihood, long Tokens) ScoreContinuous(IReadOnlyList<int[]> rows, int parts)
    {
        int[] text = rows.SelectMany(r => r).ToArray();
        if (text.Length < 2)
            return (0, 0);
        long predicted = text.Length - 1;
        parts = (int)Math.Min(parts, predicted);
        var segments = new int[parts][];
        for (int p = 0; p < parts; p++)
            segments[p] = text[(int)(predicted * p / parts)..(int)(predicted * (p + 1) / parts + 1)];
        double sum = 0;
        long tokens = 0;
        using var use = owner.Use();
        foreach (var (logLikelihood, count) in scorer.Score(segments))
        {
            sum += logLikelihood;
            tokens += count;
        }
        return (sum, tokens);
    }

    /// <summary>Always true: the transformer maps rows to rows.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the three score columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The token-id column is missing or is not a vector of Int32 ids or keys.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => RowMapping.OutputSchema(host, inputSchema, MakeRowMapper);

    /// <summary>Adds the three score columns to <paramref name="input"/>; rows are scored one at a time as a cursor moves (<see cref="Evaluate"/> scores in batches).</summary>
    public IDataView Transform(IDataView input)
    {
        owner.ThrowIfDisposed();
        return RowMapping.Transform(host, input, MakeRowMapper);
    }

    /// <summary>The row-to-row mapper <c>PredictionEngine</c> uses.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        owner.ThrowIfDisposed();
        return RowMapping.RowToRowMapper(host, inputSchema, MakeRowMapper);
    }

    private IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>
    /// Frees the model's native (libtorch) tensors. Every later call that needs the model (scoring, <c>Evaluate</c>,
    /// generation, saving) throws <see cref="ObjectDisposedException"/>; calls already running on other threads finish
    /// first (the memory is released when the last one ends). A transformer that is never disposed releases its native
    /// memory when the garbage collector collects it.
    /// </summary>
    public void Dispose() => owner.Dispose();

    /// <summary>The TorchSharp module (for tests and benchmarks; native calls go through <see cref="Use"/>).</summary>
    internal RecurrentLanguageModel Model => owner.Unguarded;

    /// <summary>The owner of the native model (tests).</summary>
    internal ModuleOwner<RecurrentLanguageModel> Owner => owner;

    /// <summary>Starts a call that reaches the native model; the model is not freed before the lease ends.</summary>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    internal ModuleOwner<RecurrentLanguageModel>.Lease Use() => owner.Use();

    /// <summary>Log-likelihood and predicted-token count of one row of ids, already read by the token-id contract (used by the row mapper).</summary>
    internal (double LogLikelihood, int Tokens) ScoreRow(ReadOnlySpan<int> ids)
    {
        using var use = owner.Use();
        return scorer.Score(new[] { ids.ToArray() })[0];
    }

    /// <summary>
    /// The codec that encodes prompts and decodes generated ids: the <c>"TokenizerModel"</c> annotation's when the token
    /// column had one, else one rebuilt from its <c>"Vocabulary"</c> annotation (<see cref="TokenCodec.FromVocabulary"/>), else none.
    /// </summary>
    private static TokenCodec? CreateCodec(byte[]? tokenizerModel, IReadOnlyList<string>? vocabulary)
    {
        if (tokenizerModel is { Length: > 0 })
            return TokenCodec.FromBytes(tokenizerModel);
        return vocabulary is { Count: > 0 } ? TokenCodec.FromVocabulary(vocabulary) : null;
    }
}
