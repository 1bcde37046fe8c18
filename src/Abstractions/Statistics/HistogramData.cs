namespace GradDiag;

/// <summary>
/// A histogram of one tensor at one step: bucket right edges, counts and the exact moments of the finite values.
/// </summary>
/// <remarks>
/// Bucket <c>i</c> covers [<c>BucketLimits[i-1]</c>, <c>BucketLimits[i]</c>); the first bucket starts at
/// <see cref="Min"/>. NaN and infinite values are left out of the buckets and counted in <see cref="NonFiniteCount"/>.
/// The owner of the arrays may reuse them after a writer call returns, so writers copy what they keep.
/// </remarks>
public sealed class HistogramData
{
    /// <summary>Creates a histogram over caller-owned bucket arrays.</summary>
    /// <exception cref="ArgumentException">The two arrays differ in length.</exception>
    public HistogramData(double[] bucketLimits, double[] bucketCounts)
    {
        ArgumentNullException.ThrowIfNull(bucketLimits);
        ArgumentNullException.ThrowIfNull(bucketCounts);
        if (bucketLimits.Length != bucketCounts.Length)
        {
            throw new ArgumentException($"Histogram has {bucketLimits.Length} bucket limits but {bucketCounts.Length} counts; they must be equal.", nameof(bucketCounts));
        }

        BucketLimits = bucketLimits;
        BucketCounts = bucketCounts;
    }

    /// <summary>Gets the right edge of each bucket, increasing.</summary>
    public double[] BucketLimits { get; }

    /// <summary>Gets the count of each bucket, parallel to <see cref="BucketLimits"/>.</summary>
    public double[] BucketCounts { get; }

    /// <summary>Gets or sets the number of buckets in use; the arrays may be longer.</summary>
    public int BucketCount { get; set; }

    /// <summary>Gets or sets the smallest finite value.</summary>
    public double Min { get; set; }

    /// <summary>Gets or sets the largest finite value.</summary>
    public double Max { get; set; }

    /// <summary>Gets or sets the number of finite values.</summary>
    public double Count { get; set; }

    /// <summary>Gets or sets the sum of the finite values.</summary>
    public double Sum { get; set; }

    /// <summary>Gets or sets the sum of squares of the finite values.</summary>
    public double SumOfSquares { get; set; }

    /// <summary>Gets or sets the number of NaN or infinite values left out of the buckets.</summary>
    public long NonFiniteCount { get; set; }
}
