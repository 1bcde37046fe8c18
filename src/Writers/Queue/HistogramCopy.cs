using System.Buffers;

namespace GradDiag.Writers.Queue;

/// <summary>
/// A writer's own copy of a <see cref="HistogramData"/>, with bucket arrays rented from the shared pool and
/// returned by <see cref="Release"/> once the record is written or dropped.
/// </summary>
internal sealed class HistogramCopy
{
    private double[]? _limits;
    private double[]? _counts;

    private HistogramCopy(double[] limits, double[] counts, int bucketCount)
    {
        _limits = limits;
        _counts = counts;
        BucketCount = bucketCount;
    }

    public int BucketCount { get; }

    public double Min { get; private init; }

    public double Max { get; private init; }

    public double Count { get; private init; }

    public double Sum { get; private init; }

    public double SumOfSquares { get; private init; }

    public long NonFiniteCount { get; private init; }

    public ReadOnlySpan<double> BucketLimits => _limits.AsSpan(0, BucketCount);

    public ReadOnlySpan<double> BucketCounts => _counts.AsSpan(0, BucketCount);

    /// <summary>Copies the buckets in use and the moments of <paramref name="source"/>.</summary>
    /// <remarks>
    /// NOTE: a <see cref="HistogramData.BucketCount"/> of 0 is read as "all of the arrays" when the arrays are
    /// not empty, because callers that fill whole arrays often leave the count unset.
    /// </remarks>
    public static HistogramCopy From(HistogramData source)
    {
        int count = source.BucketCount;
        if (count <= 0 || count > source.BucketLimits.Length)
        {
            count = count <= 0 ? source.BucketLimits.Length : Math.Min(count, source.BucketLimits.Length);
        }

        double[] limits = ArrayPool<double>.Shared.Rent(Math.Max(count, 1));
        double[] counts = ArrayPool<double>.Shared.Rent(Math.Max(count, 1));
        source.BucketLimits.AsSpan(0, count).CopyTo(limits);
        source.BucketCounts.AsSpan(0, count).CopyTo(counts);
        return new HistogramCopy(limits, counts, count)
        {
            Min = source.Min,
            Max = source.Max,
            Count = source.Count,
            Sum = source.Sum,
            SumOfSquares = source.SumOfSquares,
            NonFiniteCount = source.NonFiniteCount,
        };
    }

    /// <summary>Returns the bucket arrays to the pool; the copy must not be read afterwards.</summary>
    public void Release()
    {
        double[]? limits = Interlocked.Exchange(ref _limits, null);
        double[]? counts = Interlocked.Exchange(ref _counts, null);
        if (limits is not null)
        {
            ArrayPool<double>.Shared.Return(limits);
        }

        if (counts is not null)
        {
            ArrayPool<double>.Shared.Return(counts);
        }
    }
}
