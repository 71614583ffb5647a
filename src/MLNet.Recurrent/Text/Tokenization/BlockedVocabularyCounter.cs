using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// Counts a text column's tokens on several threads when the source can only give one cursor (e.g. data loaded from an
/// enumerable or a text file): the calling thread reads the rows and copies their characters into blocks of about
/// <see cref="BlockChars"/> characters, and worker threads count whole blocks, each into its own
/// <see cref="VocabularyLearner"/>; the caller adds the counts up. The vocabulary does not depend on which thread counted
/// which row (<see cref="VocabularyLearner.SelectTokens"/> orders by count, then ordinally).
/// </summary>
/// <remarks>
/// Why not ML.NET's row splitter (<c>DataViewUtils.CreateSplitCursors</c>): it hands rows over in small batches through its
/// own reader thread, and on the 2-core development VM a two-thread count through it took about as long as one thread
/// (17–19 ms vs 19 ms for the Austen training text; with these blocks 13–16 ms; docs/performance-notes.md, "Tokenization").
/// Reading a row here is a getter call and a copy of its characters (the source's buffer may be reused for the next
/// row), a small fraction of tokenizing it.
/// </remarks>
internal static class BlockedVocabularyCounter
{
    /// <summary>Characters per block (a longer row gets a block of its own).</summary>
    internal const int BlockChars = 1 << 18;

    /// <summary>
    /// Counts every row of <paramref name="column"/> read through <paramref name="cursor"/> on <paramref name="workers"/>
    /// threads, each counting into a learner from <paramref name="create"/>; blocks hold about <paramref name="blockChars"/>
    /// characters. An exception of the cursor or of a worker is rethrown here, after every thread has stopped.
    /// </summary>
    public static VocabularyLearner Count(DataViewRowCursor cursor, DataViewSchema.Column column, int workers, Func<VocabularyLearner> create, int blockChars = BlockChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockChars, 1);
        var learners = new VocabularyLearner[workers];
        using var full = new BlockingCollection<Block>(boundedCapacity: 2 * workers);
        var free = new ConcurrentBag<Block>();
        using var failed = new CancellationTokenSource();
        Exception? failure = null;
        var threads = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            int index = w;
            threads[w] = new Thread(() =>
            {
                try
                {
                    VocabularyLearner learner = learners[index] = create();
                    foreach (Block block in full.GetConsumingEnumerable(failed.Token))
                    {
                        int start = 0;
                        for (int r = 0; r < block.Rows; r++)
                        {
                            learner.Add(block.Chars.AsSpan(start, block.Ends[r] - start));
                            start = block.Ends[r];
                        }
                        block.Clear();
                        free.Add(block);
                    }
                }
                catch (OperationCanceledException) when (failed.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    failed.Cancel();
                }
            }) { IsBackground = true, Name = "TokenizeToIds vocabulary" };
            threads[w].Start();
        }

        var blocks = new List<Block>();
        Block NextBlock()
        {
            if (free.TryTake(out Block? reused))
                return reused;
            var created = new Block(blockChars);
            blocks.Add(created);
            return created;
        }

        try
        {
            ValueGetter<ReadOnlyMemory<char>> getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> text = default;
            Block block = NextBlock();
            while (cursor.MoveNext())
            {
                getter(ref text);
                if (!block.TryAppend(text.Span))
                {
                    full.Add(block, failed.Token);
                    block = NextBlock();
                    block.TryAppend(text.Span); // an empty block takes any row
                }
            }
            if (block.Rows > 0)
                full.Add(block, failed.Token);
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
            // A worker failed; its exception is thrown below.
        }
        finally
        {
            full.CompleteAdding();
            foreach (Thread thread in threads)
                thread.Join();
            foreach (Block b in blocks)
                b.Release();
        }
        if (failure is not null)
            ExceptionDispatchInfo.Capture(failure).Throw();
        for (int i = 1; i < learners.Length; i++)
            learners[0].Merge(learners[i]);
        return learners[0];
    }

    /// <summary>
    /// Rows' characters back to back, with each row's end offset. The characters live in an array rented from
    /// <see cref="ArrayPool{T}.Shared"/>: a fit's blocks are megabytes of large-object-heap arrays, and allocating them anew
    /// on every fit cost page faults and gen-2 collections.
    /// </summary>
    private sealed class Block(int capacity)
    {
        public char[] Chars = ArrayPool<char>.Shared.Rent(capacity);
        public int[] Ends = new int[256];
        public int Rows;
        public int Length;

        /// <summary>Appends a row unless it does not fit in a non-empty block.</summary>
        public bool TryAppend(ReadOnlySpan<char> row)
        {
            if (Length + row.Length > Chars.Length)
            {
                if (Rows > 0)
                    return false;
                AppendOversized(row);
                return true;
            }
            Append(row);
            return true;
        }

        /// <summary>Appends a row into an empty block, growing it to the row's length.</summary>
        private void AppendOversized(ReadOnlySpan<char> row)
        {
            if (Chars.Length < row.Length)
            {
                ArrayPool<char>.Shared.Return(Chars);
                Chars = ArrayPool<char>.Shared.Rent(row.Length);
            }
            Append(row);
        }

        public void Clear()
        {
            Rows = Length = 0;
            if (Chars.Length > 2 * capacity)
            {
                // do not keep an oversized row's buffer
                ArrayPool<char>.Shared.Return(Chars);
                Chars = ArrayPool<char>.Shared.Rent(capacity);
            }
        }

        /// <summary>Gives the characters back to the pool; the block is not used again.</summary>
        public void Release()
        {
            ArrayPool<char>.Shared.Return(Chars);
            Chars = [];
        }

        private void Append(ReadOnlySpan<char> row)
        {
            row.CopyTo(Chars.AsSpan(Length));
            Length += row.Length;
            if (Rows == Ends.Length)
                Array.Resize(ref Ends, Rows * 2);
            Ends[Rows++] = Length;
        }
    }
}
