using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Recurrent;

/// <summary>
/// Tokenizes a text column into a variable-length vector of <see cref="int"/> token ids. <see cref="Fit"/> learns the
/// vocabulary in one streaming pass over the input column (Word/Character modes without a fixed vocabulary) or reads
/// nothing (fixed vocabulary, Pretrained mode). Create it with
/// <c>mlContext.Transforms.Text.TokenizeToIds(...)</c> (<see cref="TokenizeToIdsCatalog.TokenizeToIds"/>).
/// </summary>
public sealed class TokenizeToIdsEstimator : IEstimator<TokenizeToIdsTransformer>
{
    internal const string ExpectedInputType = "String";

    private readonly IHost _host;
    private readonly TokenizerOptions _options;

    internal TokenizeToIdsEstimator(IHostEnvironment env, string outputColumnName, string? inputColumnName, TokenizerOptions? options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(TokenizeToIdsEstimator));
        if (string.IsNullOrWhiteSpace(outputColumnName))
            throw new ArgumentException("The output column name must be a non-empty string.", nameof(outputColumnName));
        if (inputColumnName is not null && string.IsNullOrWhiteSpace(inputColumnName))
            throw new ArgumentException("The input column name must be a non-empty string, or null to use the output column name.", nameof(inputColumnName));
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName ?? outputColumnName;
        _options = (options ?? new TokenizerOptions()).Clone();
        _options.Validate();
    }

    /// <summary>The name of the output (token-id) column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The name of the input text column.</summary>
    public string InputColumnName { get; }

    /// <summary>Learns (or reads) the vocabulary and returns the fitted transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not a text column.</exception>
    public TokenizeToIdsTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        DataViewSchema.Column column = SchemaErrors.Require(input.Schema, InputColumnName, "input", ExpectedInputType, IsValidInput, nameof(input));
        TokenCodec codec = BuildCodec(input, column);
        return new TokenizeToIdsTransformer(_host, codec, _options.MaximumLength ?? 0, _options.Truncation, OutputColumnName, InputColumnName);
    }

    /// <summary>The schema after the transformer: the input plus the token-id column with its annotations.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not a text column.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        SchemaErrors.Require(inputSchema, InputColumnName, "input", ExpectedInputType,
            c => c.Kind == SchemaShape.Column.VectorKind.Scalar && !c.IsKey && c.ItemType is TextDataViewType);
        var columns = inputSchema.ToDictionary(c => c.Name);
        var annotations = new SchemaShape(
        [
            new SchemaShape.Column(TokenAnnotations.Vocabulary, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false),
            new SchemaShape.Column(TokenAnnotations.TokenizerModel, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Byte, false),
        ]);
        columns[OutputColumnName] = new SchemaShape.Column(OutputColumnName, SchemaShape.Column.VectorKind.VariableVector,
            NumberDataViewType.Int32, false, annotations);
        return new SchemaShape(columns.Values);
    }

    internal static bool IsValidInput(DataViewType type) => type is TextDataViewType;

    private TokenCodec BuildCodec(IDataView input, DataViewSchema.Column column)
    {
        TokenizerOptions o = _options;
        if (o.Mode == TokenizerMode.Pretrained)
            return new PretrainedTokenCodec(o.Pretrained!, o.AddBeginningOfSequence, o.AddEndOfSequence);

        IReadOnlyList<string> tokens;
        if (o.HasFixedVocabulary)
        {
            tokens = o.Vocabulary ?? ReadVocabularyFile(o.VocabularyFile!);
        }
        else
        {
            VocabularyLearner learner = Count(input, column);
            int maximumTokens = o.MaximumVocabularySize is int size ? size - o.ReservedIdCount : int.MaxValue;
            tokens = learner.SelectTokens(o.MinimumFrequency, maximumTokens);
        }
        var vocabulary = new TokenVocabulary(tokens, o.AddBeginningOfSequence, o.AddEndOfSequence);
        return o.Mode == TokenizerMode.Word
            ? new WordTokenCodec(vocabulary, o.EffectiveLowercase, o.KeepPunctuation)
            : new CharacterTokenCodec(vocabulary, o.EffectiveLowercase);
    }

    /// <summary>
    /// Counts the column's tokens in one streaming pass. Word mode splits the rows over up to
    /// <see cref="Environment.ProcessorCount"/> threads (ML.NET's cursor set, or <see cref="BlockedVocabularyCounter"/>'s
    /// blocks of rows when the source cannot split itself), each counting its share, and adds the counts up: the
    /// vocabulary does not depend on the split.
    /// Character mode counts into a flat table far faster than rows can be handed between threads, so it uses one.
    /// </summary>
    private VocabularyLearner Count(IDataView input, DataViewSchema.Column column)
    {
        TokenizerOptions o = _options;
        int threads = o.Mode == TokenizerMode.Word ? Math.Clamp(Environment.ProcessorCount, 1, MaximumFitThreads) : 1;
        DataViewRowCursor[] cursors = threads > 1 ? input.GetRowCursorSet([column], threads) : [input.GetRowCursor([column])];
        try
        {
            if (cursors.Length == 1 && threads > 1)
                return BlockedVocabularyCounter.Count(cursors[0], column, threads, () => new VocabularyLearner(o.Mode, o.EffectiveLowercase, o.KeepPunctuation));
            var learners = new VocabularyLearner[cursors.Length];
            if (cursors.Length == 1)
            {
                learners[0] = CountRows(cursors[0], column);
            }
            else
            {
                // One dedicated thread per cursor of the source's own cursor set (which may share a reader that
                // waits for every consumer, so all of them must run at once).
                Exception? failure = null;
                var workers = new Thread[cursors.Length];
                for (int i = 0; i < workers.Length; i++)
                {
                    int index = i;
                    workers[i] = new Thread(() =>
                    {
                        try
                        {
                            learners[index] = CountRows(cursors[index], column);
                        }
                        catch (Exception e)
                        {
                            Interlocked.CompareExchange(ref failure, e, null);
                        }
                    }) { IsBackground = true, Name = "TokenizeToIds vocabulary" };
                    workers[i].Start();
                }
                foreach (Thread worker in workers)
                    worker.Join();
                if (failure is not null)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }
            for (int i = 1; i < learners.Length; i++)
                learners[0].Merge(learners[i]);
            return learners[0];
        }
        finally
        {
            foreach (DataViewRowCursor cursor in cursors)
                cursor.Dispose();
        }
    }

    /// <summary>Threads for counting a Word vocabulary at most (beyond a few, reading the rows is the bottleneck).</summary>
    private const int MaximumFitThreads = 4;

    private VocabularyLearner CountRows(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        TokenizerOptions o = _options;
        var learner = new VocabularyLearner(o.Mode, o.EffectiveLowercase, o.KeepPunctuation);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            getter(ref text);
            learner.Add(text.Span);
        }
        return learner;
    }

    private static List<string> ReadVocabularyFile(string path)
    {
        var tokens = new List<string>();
        foreach (string line in File.ReadLines(path))
        {
            int tab = line.IndexOf('\t');
            string token = (tab >= 0 ? line[..tab] : line).TrimEnd('\r');
            if (token.Length > 0)
                tokens.Add(token);
        }
        return tokens;
    }
}
