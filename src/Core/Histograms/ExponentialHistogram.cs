namespace GradDiag;

/// <summary>
/// Buckets a tensor with TensorBoard's default exponential bucket limits, the ones TensorFlow's C++ histogram
/// and PyTorch's <c>add_histogram</c> use.
/// </summary>
/// <remarks>
/// Positive limits start at 1e-12 and grow by a factor of 1.1 (repeated float64 multiplication) while below
/// 1e20, which gives 774 limits. The full list mirrors them for negative values, puts 0 in the middle and
/// closes both ends with ±<see cref="double.MaxValue"/>: 1551 limits. A value goes to the first bucket whose
/// limit is strictly greater, so bucket <c>i</c> covers [<c>limit[i-1]</c>, <c>limit[i]</c>). The output
/// follows TensorFlow's encoding: each non-empty bucket is one entry, and each run of empty buckets is one
/// entry with count 0 whose limit is that of the run's last bucket. NaN and ±Infinity are counted in
/// <see cref="HistogramData.NonFiniteCount"/> and left out of the buckets and moments.
/// </remarks>
public static class ExponentialHistogram
{
    /// <summary>The number of buckets, and so the largest number of entries a filled histogram can have.</summary>
    public const int BucketCapacity = (2 * PositiveLimitCount) + 3;

    private const int PositiveLimitCount = 774;

    // Index layout of s_limits: 0 is -MaxValue, 1..774 the negatives, 775 zero, 776..1549 the positives, 1550 +MaxValue.
    private const int ZeroIndex = PositiveLimitCount + 1;
    private const int FirstPositiveIndex = ZeroIndex + 1;

    private static readonly double[] s_positiveLimits = CreatePositiveLimits();
    private static readonly double[] s_limits = CreateLimits(s_positiveLimits);
    private static readonly double s_logGrowth = Math.Log(1.1);

    /// <summary>Gets all 1551 bucket limits in increasing order.</summary>
    public static ReadOnlySpan<double> Limits => s_limits;

    /// <summary>Creates an empty histogram whose arrays can hold any fill.</summary>
    public static HistogramData Create() => new(new double[BucketCapacity], new double[BucketCapacity]);

    /// <summary>Fills <paramref name="histogram"/> with the buckets and moments of <paramref name="values"/>, replacing what it held.</summary>
    /// <exception cref="ArgumentException">The histogram's arrays hold fewer than <see cref="BucketCapacity"/> entries.</exception>
    public static void Fill(ReadOnlySpan<float> values, HistogramData histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.BucketCounts.Length < BucketCapacity)
        {
            throw new ArgumentException(
                $"The histogram holds {histogram.BucketCounts.Length} buckets, but an exponential histogram needs {BucketCapacity}; create it with ExponentialHistogram.Create().",
                nameof(histogram));
        }

        double[] counts = histogram.BucketCounts;
        double[] limits = histogram.BucketLimits;
        Array.Clear(counts, 0, BucketCapacity);

        double min = double.MaxValue;
        double max = -double.MaxValue;
        double sum = 0;
        double sumOfSquares = 0;
        long finite = 0;
        long nonFinite = 0;
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                nonFinite++;
                continue;
            }

            double x = value;
            finite++;
            sum += x;
            sumOfSquares += x * x;
            min = Math.Min(min, x);
            max = Math.Max(max, x);
            counts[BucketIndex(x)]++;
        }

        histogram.BucketCount = Compact(counts, limits);
        histogram.Min = min;
        histogram.Max = max;
        histogram.Count = finite;
        histogram.Sum = sum;
        histogram.SumOfSquares = sumOfSquares;
        histogram.NonFiniteCount = nonFinite;
    }

    /// <summary>Returns the index in <see cref="Limits"/> of the first limit strictly greater than <paramref name="value"/>.</summary>
    internal static int BucketIndex(double value)
    {
        if (value > 0)
        {
            int j = FirstPositiveLimitAbove(value, orEqual: false);
            return FirstPositiveIndex + j;
        }

        if (value == 0)
        {
            return FirstPositiveIndex;
        }

        // The first negative limit -p greater than value is the largest p below |value|.
        int r = FirstPositiveLimitAbove(-value, orEqual: true) - 1;
        return r < 0 ? ZeroIndex : ZeroIndex - 1 - r;
    }

    /// <summary>
    /// Returns the smallest j with positive limit j greater than (or, with <paramref name="orEqual"/>, at least)
    /// <paramref name="magnitude"/>, or 774 when there is none.
    /// </summary>
    private static int FirstPositiveLimitAbove(double magnitude, bool orEqual)
    {
        // A logarithm gives the index to within one; the exact limits then settle it.
        double estimate = Math.Floor(Math.Log(magnitude / 1e-12) / s_logGrowth) + 1;
        int j = (int)Math.Clamp(estimate, 0, PositiveLimitCount);
        while (j > 0 && Passes(s_positiveLimits[j - 1], magnitude, orEqual))
        {
            j--;
        }

        while (j < PositiveLimitCount && !Passes(s_positiveLimits[j], magnitude, orEqual))
        {
            j++;
        }

        return j;
    }

    private static bool Passes(double limit, double magnitude, bool orEqual) => orEqual ? limit >= magnitude : limit > magnitude;

    /// <summary>Rewrites the full bucket counts in place into TensorFlow's entries and returns their number.</summary>
    private static int Compact(double[] counts, double[] limits)
    {
        int written = 0;
        int i = 0;
        while (i < BucketCapacity)
        {
            if (counts[i] > 0)
            {
                limits[written] = s_limits[i];
                counts[written] = counts[i];
                written++;
                i++;
                continue;
            }

            while (i + 1 < BucketCapacity && counts[i + 1] == 0)
            {
                i++;
            }

            limits[written] = s_limits[i];
            counts[written] = 0;
            written++;
            i++;
        }

        return written;
    }

    private static double[] CreatePositiveLimits()
    {
        var limits = new double[PositiveLimitCount];
        int count = 0;
        for (double v = 1e-12; v < 1e20; v *= 1.1)
        {
            limits[count++] = v;
        }

        return limits;
    }

    private static double[] CreateLimits(double[] positive)
    {
        var limits = new double[BucketCapacity];
        limits[0] = -double.MaxValue;
        for (int i = 0; i < positive.Length; i++)
        {
            limits[ZeroIndex - 1 - i] = -positive[i];
            limits[FirstPositiveIndex + i] = positive[i];
        }

        limits[ZeroIndex] = 0;
        limits[BucketCapacity - 1] = double.MaxValue;
        return limits;
    }
}
