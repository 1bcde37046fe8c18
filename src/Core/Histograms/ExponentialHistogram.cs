using System.Runtime.CompilerServices;

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

    // A float's magnitude bits shifted right by CellShift select its cell: the 8 exponent bits and the top 5
    // mantissa bits. A cell spans at most a factor 1 + 1/32 and a bucket a factor 1.1, so no cell contains two limits.
    private const int CellShift = 18;
    private const uint PositiveInfinityBits = 0x7F80_0000;

    // Fill counts positive and negative elements separately, by how many positive limits lie below |x|. The
    // negative counts start at this slot.
    private const int NegativeSlots = PositiveLimitCount + 1;

    // The positive limits followed by +Infinity, so a lookup one past the last limit needs no bounds branch.
    private static readonly double[] s_positiveLimits = CreatePositiveLimits();
    private static readonly double[] s_limits = CreateLimits(s_positiveLimits);

    // s_thresholds[j] is the bit pattern of the smallest float above positive limit j, so |x| > limit j exactly
    // when |x|'s bits are at least s_thresholds[j]. The last entry is never reached.
    private static readonly uint[] s_thresholds = CreateThresholds(s_positiveLimits);
    private static readonly ushort[] s_limitsBelowCell = CreateCellTable(s_thresholds);

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

        // Slot p counts positive elements (and ±0) above exactly p limits, and slot NegativeSlots + p counts negative ones.
        Span<int> slots = stackalloc int[2 * NegativeSlots];
        slots.Clear();
        ReadOnlySpan<ushort> limitsBelowCell = s_limitsBelowCell;
        ReadOnlySpan<uint> thresholds = s_thresholds;
        foreach (float value in values)
        {
            uint bits = BitConverter.SingleToUInt32Bits(value);
            uint magnitudeBits = bits & 0x7FFF_FFFF;
            if (magnitudeBits < PositiveInfinityBits)
            {
                slots[Slot(bits, magnitudeBits, limitsBelowCell, thresholds)]++;
            }
        }

        FiniteMoments moments = FiniteMoments.Compute(values);

        Span<int> counts = stackalloc int[BucketCapacity];
        counts.Clear();
        for (int passed = 0; passed < NegativeSlots; passed++)
        {
            counts[FirstPositiveIndex + passed] = slots[passed];
            counts[ZeroIndex - passed] = slots[NegativeSlots + passed];
        }

        histogram.BucketCount = Compact(counts, histogram.BucketLimits, histogram.BucketCounts);
        histogram.Min = moments.Min;
        histogram.Max = moments.Max;
        histogram.Count = moments.Count;
        histogram.Sum = moments.Sum;
        histogram.SumOfSquares = moments.SumOfSquares;
        histogram.NonFiniteCount = values.Length - moments.Count;
    }

    /// <summary>Returns the index in <see cref="Limits"/> of the first limit strictly greater than a finite <paramref name="value"/>.</summary>
    internal static int BucketIndex(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        int slot = Slot(bits, bits & 0x7FFF_FFFF, s_limitsBelowCell, s_thresholds);
        return slot < NegativeSlots ? FirstPositiveIndex + slot : ZeroIndex - (slot - NegativeSlots);
    }

    /// <summary>Returns the counting slot of a finite float from its bits, with two table lookups and no branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(uint bits, uint magnitudeBits, ReadOnlySpan<ushort> limitsBelowCell, ReadOnlySpan<uint> thresholds)
    {
        // The table gives the number of limits below the start of |x|'s cell. At most one more limit lies inside
        // the cell, and comparing |x|'s bits with that limit's threshold settles whether |x| is above it. No limit
        // equals a float, so "above" and "at or above" agree and positive and negative values share the count.
        int below = limitsBelowCell[(int)(magnitudeBits >> CellShift)];
        int passed = below + (magnitudeBits >= thresholds[below] ? 1 : 0);

        // The sign bit, cleared for -0: magnitudeBits - 1 has its top bit set only when magnitudeBits is 0. Signs
        // are random in a gradient, so this is arithmetic rather than a branch the CPU would mispredict.
        int negative = (int)((bits & ~(magnitudeBits - 1)) >> 31);
        return passed + (negative * NegativeSlots);
    }

    /// <summary>Writes the full bucket counts as TensorFlow's entries and returns their number.</summary>
    private static int Compact(ReadOnlySpan<int> counts, double[] limits, double[] entryCounts)
    {
        int written = 0;
        int i = 0;
        while (i < BucketCapacity)
        {
            if (counts[i] > 0)
            {
                limits[written] = s_limits[i];
                entryCounts[written] = counts[i];
                written++;
                i++;
                continue;
            }

            while (i + 1 < BucketCapacity && counts[i + 1] == 0)
            {
                i++;
            }

            limits[written] = s_limits[i];
            entryCounts[written] = 0;
            written++;
            i++;
        }

        return written;
    }

    private static double[] CreatePositiveLimits()
    {
        var limits = new double[PositiveLimitCount + 1];
        int count = 0;
        for (double v = 1e-12; v < 1e20; v *= 1.1)
        {
            limits[count++] = v;
        }

        limits[PositiveLimitCount] = double.PositiveInfinity;
        return limits;
    }

    /// <summary>Finds, for every positive limit, the bits of the smallest float above it.</summary>
    /// <exception cref="InvalidOperationException">A limit equals a float, which the counting in <see cref="Fill"/> does not handle.</exception>
    private static uint[] CreateThresholds(double[] positiveLimits)
    {
        var thresholds = new uint[PositiveLimitCount + 1];
        for (int j = 0; j < PositiveLimitCount; j++)
        {
            float nearest = (float)positiveLimits[j];
            if (nearest == positiveLimits[j])
            {
                throw new InvalidOperationException($"Invalid histogram table: bucket limit {positiveLimits[j]:R} equals a float.");
            }

            thresholds[j] = BitConverter.SingleToUInt32Bits(nearest < positiveLimits[j] ? MathF.BitIncrement(nearest) : nearest);
        }

        thresholds[PositiveLimitCount] = uint.MaxValue;
        return thresholds;
    }

    /// <summary>Counts, for the first float of every cell, the positive limits below it.</summary>
    /// <exception cref="InvalidOperationException">A cell contains more than one limit.</exception>
    private static ushort[] CreateCellTable(uint[] thresholds)
    {
        var table = new ushort[(int)(PositiveInfinityBits >> CellShift)];
        int below = 0;
        for (int cell = 0; cell < table.Length; cell++)
        {
            uint start = (uint)cell << CellShift;
            while (thresholds[below] <= start)
            {
                below++;
            }

            table[cell] = (ushort)below;
            if (below < PositiveLimitCount && thresholds[below + 1] < start + (1u << CellShift))
            {
                throw new InvalidOperationException($"Invalid histogram table: cell {cell} contains more than one bucket limit.");
            }
        }

        return table;
    }

    private static double[] CreateLimits(double[] positive)
    {
        var limits = new double[BucketCapacity];
        limits[0] = -double.MaxValue;
        for (int i = 0; i < PositiveLimitCount; i++)
        {
            limits[ZeroIndex - 1 - i] = -positive[i];
            limits[FirstPositiveIndex + i] = positive[i];
        }

        limits[ZeroIndex] = 0;
        limits[BucketCapacity - 1] = double.MaxValue;
        return limits;
    }
}
