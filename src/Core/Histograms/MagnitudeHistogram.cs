namespace GradDiag;

/// <summary>
/// Buckets the order of magnitude, log10 |x|, of a tensor's non-zero finite elements into fixed bins, so that
/// vanishing gradients show as mass drifting to the left from step to step.
/// </summary>
/// <remarks>
/// The bins are value-independent: <see cref="BinCount"/> bins of width <see cref="BinWidth"/> from
/// <see cref="MinLog10"/> to <see cref="MaxLog10"/>, each bucket limit being a bin's right edge. Magnitudes
/// outside that range are clamped to it, so outliers land in the edge bins and <see cref="HistogramData.Min"/>,
/// <see cref="HistogramData.Max"/> and the sums are those of the clamped log10 values. Zeros have no logarithm:
/// <see cref="Fill"/> leaves them out and returns their number. NaN and ±Infinity are counted in
/// <see cref="HistogramData.NonFiniteCount"/>.
/// </remarks>
public static class MagnitudeHistogram
{
    /// <summary>The left edge of the first bin, in log10 units.</summary>
    public const double MinLog10 = -20;

    /// <summary>The right edge of the last bin, in log10 units.</summary>
    public const double MaxLog10 = 10;

    /// <summary>The width of every bin, in log10 units.</summary>
    public const double BinWidth = 0.5;

    /// <summary>The number of bins.</summary>
    public const int BinCount = (int)((MaxLog10 - MinLog10) / BinWidth);

    /// <summary>Creates an empty histogram whose arrays hold <see cref="BinCount"/> bins.</summary>
    public static HistogramData Create() => new(new double[BinCount], new double[BinCount]);

    /// <summary>Fills <paramref name="histogram"/> with the log10 magnitudes of <paramref name="values"/>, replacing what it held.</summary>
    /// <returns>The number of elements equal to zero, which are not in the histogram.</returns>
    /// <exception cref="ArgumentException">The histogram's arrays hold fewer than <see cref="BinCount"/> entries.</exception>
    public static long Fill(ReadOnlySpan<float> values, HistogramData histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.BucketCounts.Length < BinCount)
        {
            throw new ArgumentException(
                $"The histogram holds {histogram.BucketCounts.Length} buckets, but a magnitude histogram needs {BinCount}; create it with MagnitudeHistogram.Create().",
                nameof(histogram));
        }

        double[] counts = histogram.BucketCounts;
        double[] limits = histogram.BucketLimits;
        for (int i = 0; i < BinCount; i++)
        {
            counts[i] = 0;
            limits[i] = MinLog10 + ((i + 1) * BinWidth);
        }

        double min = double.MaxValue;
        double max = -double.MaxValue;
        double sum = 0;
        double sumOfSquares = 0;
        long nonZero = 0;
        long zeros = 0;
        long nonFinite = 0;
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                nonFinite++;
                continue;
            }

            if (value == 0f)
            {
                zeros++;
                continue;
            }

            double log10 = Math.Clamp(Math.Log10(Math.Abs((double)value)), MinLog10, MaxLog10);
            int bin = Math.Min((int)((log10 - MinLog10) / BinWidth), BinCount - 1);
            counts[bin]++;
            nonZero++;
            sum += log10;
            sumOfSquares += log10 * log10;
            min = Math.Min(min, log10);
            max = Math.Max(max, log10);
        }

        histogram.BucketCount = BinCount;
        histogram.Min = min;
        histogram.Max = max;
        histogram.Count = nonZero;
        histogram.Sum = sum;
        histogram.SumOfSquares = sumOfSquares;
        histogram.NonFiniteCount = nonFinite;
        return zeros;
    }
}
