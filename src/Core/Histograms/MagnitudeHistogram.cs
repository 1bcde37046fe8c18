using System.Numerics;
using System.Numerics.Tensors;

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
/// <para>
/// Bin <c>i</c> contains the magnitudes in [10^(<see cref="MinLog10"/> + i × <see cref="BinWidth"/>),
/// 10^(<see cref="MinLog10"/> + (i + 1) × <see cref="BinWidth"/>)), decided by comparing the magnitude with those
/// edges exactly, so the bins need no logarithm. The moments use log10 values computed in float32 with vector
/// instructions, about 1e-7 relative.
/// </para>
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

    // The magnitudes are buffered in chunks of this many elements, whose log10 values are then taken with
    // vector instructions.
    private const int ChunkLength = 2048;

    // A float's magnitude bits shifted right by CellShift select its cell (exponent and top 5 mantissa bits). A
    // cell spans at most a factor 1 + 1/32 and a bin a factor of about 3.16, so no cell contains two edges.
    private const int CellShift = 18;
    private const int CellCount = 1 << (31 - CellShift);
    private const uint PositiveInfinityBits = 0x7F80_0000;

    private const int ZeroSlot = BinCount;
    private const int NonFiniteSlot = BinCount + 1;
    private const int SlotCount = BinCount + 2;

    // s_thresholds[i] is the bit pattern of the smallest float at or above 10^(MinLog10 + (i + 1) * BinWidth), the
    // first magnitude of bin i + 1. The last bin takes everything above its left edge, and the slots after the bins
    // are never left, so their thresholds are never reached.
    private static readonly uint[] s_thresholds = CreateThresholds();

    // The slot of the first float of every cell. The cells of NaN and ±Infinity map to NonFiniteSlot.
    private static readonly byte[] s_slotOfCell = CreateCellTable(s_thresholds);

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

        // Slots 0 to BinCount - 1 are the bins, followed by the slots of zeros and of NaN and ±Infinity.
        Span<int> slots = stackalloc int[SlotCount];
        slots.Clear();
        Span<float> magnitudes = stackalloc float[ChunkLength];
        ReadOnlySpan<byte> slotOfCell = s_slotOfCell;
        ReadOnlySpan<uint> thresholds = s_thresholds;
        var moments = new Moments();
        int buffered = 0;
        foreach (float value in values)
        {
            // The cell's slot, moved up by one when |x| reaches the next edge inside the cell. Zero's cell is that of
            // the smallest magnitudes, so zero is sent to its own slot first.
            uint magnitudeBits = BitConverter.SingleToUInt32Bits(value) & 0x7FFF_FFFF;
            if (magnitudeBits == 0)
            {
                slots[ZeroSlot]++;
                continue;
            }

            int slot = slotOfCell[(int)(magnitudeBits >> CellShift)];
            slot += magnitudeBits >= thresholds[slot] ? 1 : 0;
            slots[slot]++;
            if (slot < BinCount)
            {
                magnitudes[buffered++] = BitConverter.UInt32BitsToSingle(magnitudeBits);
                if (buffered == ChunkLength)
                {
                    moments.Add(magnitudes);
                    buffered = 0;
                }
            }
        }

        long zeros = slots[ZeroSlot];
        long nonFinite = slots[NonFiniteSlot];
        moments.Add(magnitudes[..buffered]);

        double[] counts = histogram.BucketCounts;
        double[] limits = histogram.BucketLimits;
        for (int i = 0; i < BinCount; i++)
        {
            counts[i] = slots[i];
            limits[i] = MinLog10 + ((i + 1) * BinWidth);
        }

        histogram.BucketCount = BinCount;
        histogram.Min = moments.Min;
        histogram.Max = moments.Max;
        histogram.Count = moments.Count;
        histogram.Sum = moments.Sum;
        histogram.SumOfSquares = moments.SumOfSquares;
        histogram.NonFiniteCount = nonFinite;
        return zeros;
    }

    /// <summary>Returns the bin of a finite non-zero magnitude, as <see cref="Fill"/> computes it.</summary>
    internal static int Bin(float magnitude)
    {
        uint magnitudeBits = BitConverter.SingleToUInt32Bits(magnitude) & 0x7FFF_FFFF;
        int bin = s_slotOfCell[(int)(magnitudeBits >> CellShift)];
        return bin + (magnitudeBits >= s_thresholds[bin] ? 1 : 0);
    }

    private static uint[] CreateThresholds()
    {
        var thresholds = new uint[SlotCount];
        for (int i = 0; i < BinCount - 1; i++)
        {
            double edge = Math.Pow(10, MinLog10 + ((i + 1) * BinWidth));
            float nearest = (float)edge;
            thresholds[i] = BitConverter.SingleToUInt32Bits(nearest < edge ? MathF.BitIncrement(nearest) : nearest);
        }

        thresholds.AsSpan(BinCount - 1).Fill(uint.MaxValue);
        return thresholds;
    }

    /// <summary>Finds, for the first float of every cell, the slot it falls in.</summary>
    private static byte[] CreateCellTable(uint[] thresholds)
    {
        var table = new byte[CellCount];
        int bin = 0;
        int firstNonFiniteCell = (int)(PositiveInfinityBits >> CellShift);
        for (int cell = 0; cell < firstNonFiniteCell; cell++)
        {
            while (thresholds[bin] <= (uint)cell << CellShift)
            {
                bin++;
            }

            table[cell] = (byte)bin;
        }

        table.AsSpan(firstNonFiniteCell).Fill(NonFiniteSlot);
        return table;
    }

    /// <summary>The moments of the clamped log10 magnitudes, added chunk by chunk.</summary>
    private struct Moments
    {
        public double Min;
        public double Max;
        public long Count;
        public double Sum;
        public double SumOfSquares;

        public Moments()
        {
            Min = double.MaxValue;
            Max = -double.MaxValue;
        }

        /// <summary>Adds the clamped log10 of <paramref name="magnitudes"/>, overwriting them with the unclamped logarithms.</summary>
        public void Add(Span<float> magnitudes)
        {
            if (magnitudes.IsEmpty)
            {
                return;
            }

            // One pass after the logarithms clamps them and adds them up, where six library calls each read the chunk.
            TensorPrimitives.Log10(magnitudes, magnitudes);
            var low = new Vector<float>((float)MinLog10);
            var high = new Vector<float>((float)MaxLog10);
            Vector<float> min = high, max = low;
            Vector<double> sums = Vector<double>.Zero, squareSums = Vector<double>.Zero;
            int i = 0;
            int vectorEnd = magnitudes.Length - (magnitudes.Length % Vector<float>.Count);
            while (i < vectorEnd)
            {
                // Each lane adds at most 32 float32 terms before the partial sums move to float64.
                int blockEnd = Math.Min(vectorEnd, i + (32 * Vector<float>.Count));
                Vector<float> sum = Vector<float>.Zero, squares = Vector<float>.Zero;
                for (; i < blockEnd; i += Vector<float>.Count)
                {
                    Vector<float> log10 = Vector.MinNative(Vector.MaxNative(new Vector<float>(magnitudes[i..]), low), high);
                    sum += log10;
                    squares = Vector.FusedMultiplyAdd(log10, log10, squares);
                    min = Vector.MinNative(min, log10);
                    max = Vector.MaxNative(max, log10);
                }

                sums += Widen(sum);
                squareSums += Widen(squares);
            }

            float smallest = (float)MaxLog10;
            float largest = (float)MinLog10;
            for (int lane = 0; lane < Vector<float>.Count; lane++)
            {
                smallest = Math.Min(smallest, min[lane]);
                largest = Math.Max(largest, max[lane]);
            }

            double total = Vector.Sum(sums);
            double totalSquares = Vector.Sum(squareSums);
            for (; i < magnitudes.Length; i++)
            {
                float log10 = Math.Clamp(magnitudes[i], (float)MinLog10, (float)MaxLog10);
                total += log10;
                totalSquares += (double)log10 * log10;
                smallest = Math.Min(smallest, log10);
                largest = Math.Max(largest, log10);
            }

            Min = Math.Min(Min, smallest);
            Max = Math.Max(Max, largest);
            Count += magnitudes.Length;
            Sum += total;
            SumOfSquares += totalSquares;
        }

        private static Vector<double> Widen(Vector<float> lanes)
        {
            Vector.Widen(lanes, out Vector<double> lower, out Vector<double> upper);
            return lower + upper;
        }
    }
}
