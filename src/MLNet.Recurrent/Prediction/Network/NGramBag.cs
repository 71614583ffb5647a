using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Recurrent;

/// <summary>
/// The "wide" part of a recurrent classifier (Wide &amp; Deep, Cheng et al. 2016; fastText's bag of n-grams, Joulin et
/// al. 2016): a linear model over the row's word n-grams, added to the recurrent network's outputs. Unigram n is token id
/// n; a bigram (a, b) is hashed into one of <c>buckets</c> ids after the vocabulary. Each row's n-gram weights are summed
/// and divided by the square root of the row's n-gram count (<c>[B, outputs]</c>), as an L2-normalized count vector
/// (FeaturizeText's) would weigh them: a row's evidence grows with its length, slower than its length. Models saved
/// before format 0x00010003 divide by the count (the mean) and are read back that way. The table has sparse gradients, so a step updates
/// only the rows its batch used (see <see cref="TrainingOptimizer"/>). The weights start at zero: the network starts as
/// the recurrent model alone and learns what the bag adds.
/// </summary>
internal sealed class NGramBag : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>
    /// The bag learns at this many times the network's learning rate: each of its rows is seen only in the rows that hold
    /// its n-gram, so at the network's rate it stays near its zero start (accuracy suite, docs/accuracy.md: with the mean,
    /// factor 1 lost to FeaturizeText + SDCA on short texts, 25 beat it there and 100 on long documents; with the
    /// square-root scaling, which moves long rows' outputs faster by itself, 6 does both).
    /// </summary>
    internal const double LearningRateFactor = 6;

    /// <summary>Whether the parameter <paramref name="name"/> of a <see cref="RecurrentSequenceModel"/> belongs to the bag.</summary>
    internal static bool Owns(string name) => name.StartsWith("ngrams.", StringComparison.Ordinal);

    /// <summary>The multiplier of the bigram hash <c>(a · Multiplier + b) mod buckets</c> (a prime above any vocabulary).</summary>
    internal const long Multiplier = 16_777_259;

    private readonly Embedding weights;
    private readonly long vocabularySize;
    private readonly long buckets;
    private readonly int length;
    private readonly bool squareRootScaling;

    /// <summary>The bag; <paramref name="squareRootScaling"/> false divides by the n-gram count (models before format 0x00010003).</summary>
    public NGramBag(int vocabularySize, int length, int buckets, int outputs, bool squareRootScaling) : base(nameof(NGramBag))
    {
        this.vocabularySize = vocabularySize;
        this.length = length;
        this.squareRootScaling = squareRootScaling;
        this.buckets = length >= 2 ? buckets : 0;
        weights = nn.Embedding(vocabularySize + this.buckets, outputs, sparse: true);
        RegisterComponents();
        using var noGrad = no_grad();
        weights.weight!.zero_();
    }

    /// <summary><c>tokens [B, T]</c> (right-padded with 0), <c>lengths [B]</c> (CPU) → each row's scaled sum of n-gram weights, <c>[B, outputs]</c>.</summary>
    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        long width = tokens.shape[1];
        using Scalar end = width.ToScalar();
        Tensor rowLengths = lengths.to(tokens.device).unsqueeze(1);
        Tensor positions = arange(Scalars.Zero, end, Scalars.One, dtype: ScalarType.Int64, device: tokens.device).unsqueeze(0);
        Tensor mask = positions.lt(rowLengths);
        Tensor ids = tokens, valid = mask;
        if (length >= 2 && width >= 2)
        {
            Tensor bigrams = PairIds(tokens.narrow(1, 0, width - 1), tokens.narrow(1, 1, width - 1));
            ids = cat(new[] { tokens, bigrams }, 1);
            valid = cat(new[] { mask, mask.narrow(1, 1, width - 1) }, 1);
        }
        Tensor floatMask = valid.to(ScalarType.Float32).unsqueeze(2);
        Tensor sums = weights.call(ids.masked_fill(valid.logical_not(), Scalars.Zero)).mul(floatMask).sum(1);
        Tensor counts = floatMask.sum(1).clamp_min(Scalars.OneDouble);
        return sums.div(squareRootScaling ? counts.sqrt() : counts).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The bag of one row <c>[1, T]</c> of any length (no padding), read <paramref name="window"/> tokens at a time so
    /// memory does not grow with the row: the same result as <see cref="forward"/> up to float rounding.
    /// </summary>
    public Tensor ForwardInWindows(Tensor tokens, long window)
    {
        using var scope = NewDisposeScope();
        long n = tokens.shape[1];
        Tensor total = zeros(1, weights.weight!.shape[1], device: tokens.device);
        long count = 0;
        for (long start = 0; start < n; start += window)
        {
            using var step = NewDisposeScope();
            long end = Math.Min(n, start + window);
            total.add_(weights.call(tokens.narrow(1, start, end - start)).sum(1), Scalars.One);
            count += end - start;
            long pairs = Math.Min(n - 1, end) - start; // pairs (i, i + 1) that start in this window
            if (length >= 2 && pairs > 0)
            {
                total.add_(weights.call(PairIds(tokens.narrow(1, start, pairs), tokens.narrow(1, start + 1, pairs))).sum(1), Scalars.One);
                count += pairs;
            }
        }
        using Scalar divisor = (squareRootScaling ? Math.Sqrt(Math.Max(1L, count)) : Math.Max(1L, count)).ToScalar();
        return total.div(divisor).MoveToOuterDisposeScope();
    }

    /// <summary>The bag ids of the word pairs (<paramref name="first"/>[i], <paramref name="second"/>[i]): hashed into the buckets after the vocabulary.</summary>
    private Tensor PairIds(Tensor first, Tensor second)
    {
        using Scalar multiplier = Multiplier.ToScalar(), bucketCount = buckets.ToScalar(), offset = vocabularySize.ToScalar();
        return first.mul(multiplier).add_(second, Scalars.One).remainder(bucketCount).add_(offset, Scalars.One);
    }
}
