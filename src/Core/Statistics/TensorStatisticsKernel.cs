using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GradDiag;

// NOTE: On cache-resident buffers this kernel runs at about 20-30 % of TensorPrimitives.Sum's throughput,
// because float64 widening, the zero count and the maximum cost about 12 vector operations per vector against
// Sum's one. Buffers that stream from memory are bandwidth-bound and run at about Sum's speed.
/// <summary>
/// Computes <see cref="TensorStatistics"/> of a float32 tensor in one vectorised pass over its elements.
/// </summary>
/// <remarks>
/// Squares and sums are accumulated in float64, so the norm of a tensor whose true norm is finite never
/// overflows (a float32 element squares to at most about 1.2e77) and denormal elements still contribute.
/// NaN and ±Infinity are counted and masked out before they reach the sums or the maximum.
/// </remarks>
public static class TensorStatisticsKernel
{
    // Blocks are checked for NaN and ±Infinity as a whole; a small block keeps the masked redo of a bad one cheap.
    private const int VectorsPerBlock = 64;

    /// <summary>Computes the element count, sum of squares, sum, largest finite |x|, non-finite count and zero count.</summary>
    /// <param name="values">The tensor's elements, in any order.</param>
    /// <returns>The statistics; <see cref="TensorStatistics.MaxAbs"/> is 0 when no element is finite.</returns>
    public static TensorStatistics Compute(ReadOnlySpan<float> values)
    {
        var accumulator = default(Accumulator);
        int offset = 0;
        if (Vector512.IsHardwareAccelerated && values.Length >= Vector512<float>.Count)
        {
            offset = AccumulateVector512(values, ref accumulator);
        }
        else if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<float>.Count)
        {
            offset = AccumulateVector256(values, ref accumulator);
        }

        AccumulateScalar(values[offset..], ref accumulator);
        return accumulator.ToStatistics(values.Length);
    }

    /// <summary>Computes the statistics with 256-bit vectors where available, so tests cover that path on AVX-512 machines.</summary>
    internal static TensorStatistics ComputeVector256(ReadOnlySpan<float> values)
    {
        var accumulator = default(Accumulator);
        int offset = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<float>.Count)
        {
            offset = AccumulateVector256(values, ref accumulator);
        }

        AccumulateScalar(values[offset..], ref accumulator);
        return accumulator.ToStatistics(values.Length);
    }

    /// <summary>Computes the statistics with scalar code only, as a reference for the vector paths.</summary>
    internal static TensorStatistics ComputeScalar(ReadOnlySpan<float> values)
    {
        var accumulator = default(Accumulator);
        AccumulateScalar(values, ref accumulator);
        return accumulator.ToStatistics(values.Length);
    }

    private static void AccumulateScalar(ReadOnlySpan<float> values, ref Accumulator accumulator)
    {
        double sumOfSquares = 0;
        double sum = 0;
        double maxAbs = accumulator.MaxAbs;
        long nonFinite = 0;
        long zeros = 0;
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

            double x = value;
            sumOfSquares += x * x;
            sum += x;
            maxAbs = Math.Max(maxAbs, Math.Abs(x));
        }

        accumulator.SumOfSquares += sumOfSquares;
        accumulator.Sum += sum;
        accumulator.MaxAbs = maxAbs;
        accumulator.NonFiniteCount += nonFinite;
        accumulator.ZeroCount += zeros;
    }

    private static int AccumulateVector256(ReadOnlySpan<float> values, ref Accumulator accumulator)
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        int vectorCount = values.Length / Vector256<float>.Count;
        var totals = default(Totals256);
        for (int blockStart = 0; blockStart < vectorCount; blockStart += VectorsPerBlock)
        {
            int blockEnd = Math.Min(vectorCount, blockStart + VectorsPerBlock);
            Vector256<double> sumOfSquaresLower = Vector256<double>.Zero;
            Vector256<double> sumOfSquaresUpper = Vector256<double>.Zero;
            Vector256<double> sumLower = Vector256<double>.Zero;
            Vector256<double> sumUpper = Vector256<double>.Zero;
            Vector256<float> maxAbs = Vector256<float>.Zero;
            Vector256<int> zeroLanes = Vector256<int>.Zero;
            for (int i = blockStart; i < blockEnd; i++)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref start, (nuint)i * (nuint)Vector256<float>.Count);
                maxAbs = Vector256.Max(maxAbs, Vector256.Abs(x));

                // A mask lane is -1 as an integer, so subtracting it counts the lane.
                zeroLanes -= Vector256.Equals(x, Vector256<float>.Zero).AsInt32();
                (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(x);
                sumOfSquaresLower = Vector256.FusedMultiplyAdd(lower, lower, sumOfSquaresLower);
                sumOfSquaresUpper = Vector256.FusedMultiplyAdd(upper, upper, sumOfSquaresUpper);
                sumLower += lower;
                sumUpper += upper;
            }

            // A NaN or infinite element makes the block's sum of squares NaN or +Infinity, because squares are
            // never negative and float32 squares cannot overflow float64. Such a block is redone with masks.
            if (double.IsFinite(Vector256.Sum(sumOfSquaresLower + sumOfSquaresUpper)))
            {
                totals.SumOfSquares += sumOfSquaresLower + sumOfSquaresUpper;
                totals.Sum += sumLower + sumUpper;
                totals.MaxAbs = Vector256.Max(totals.MaxAbs, maxAbs);
                accumulator.ZeroCount += SumLanes(zeroLanes);
            }
            else
            {
                AccumulateMasked256(ref start, blockStart, blockEnd, ref totals, ref accumulator);
            }
        }

        accumulator.SumOfSquares += Vector256.Sum(totals.SumOfSquares);
        accumulator.Sum += Vector256.Sum(totals.Sum);
        accumulator.MaxAbs = Math.Max(accumulator.MaxAbs, MaxLane(totals.MaxAbs));
        return vectorCount * Vector256<float>.Count;
    }

    private static void AccumulateMasked256(ref float start, int blockStart, int blockEnd, ref Totals256 totals, ref Accumulator accumulator)
    {
        Vector256<float> infinity = Vector256.Create(float.PositiveInfinity);
        Vector256<int> nonFiniteLanes = Vector256<int>.Zero;
        Vector256<int> zeroLanes = Vector256<int>.Zero;
        for (int i = blockStart; i < blockEnd; i++)
        {
            Vector256<float> x = Vector256.LoadUnsafe(ref start, (nuint)i * (nuint)Vector256<float>.Count);
            Vector256<float> abs = Vector256.Abs(x);

            // NaN compares false, so the mask is all ones exactly in the finite lanes.
            Vector256<float> finite = Vector256.LessThan(abs, infinity);
            Vector256<float> kept = x & finite;
            nonFiniteLanes -= (~finite).AsInt32();
            zeroLanes -= Vector256.Equals(x, Vector256<float>.Zero).AsInt32();
            totals.MaxAbs = Vector256.Max(totals.MaxAbs, abs & finite);

            (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(kept);
            totals.SumOfSquares = Vector256.FusedMultiplyAdd(lower, lower, totals.SumOfSquares);
            totals.SumOfSquares = Vector256.FusedMultiplyAdd(upper, upper, totals.SumOfSquares);
            totals.Sum += lower + upper;
        }

        accumulator.NonFiniteCount += SumLanes(nonFiniteLanes);
        accumulator.ZeroCount += SumLanes(zeroLanes);
    }

    private static int AccumulateVector512(ReadOnlySpan<float> values, ref Accumulator accumulator)
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        int vectorCount = values.Length / Vector512<float>.Count;
        var totals = default(Totals512);
        for (int blockStart = 0; blockStart < vectorCount; blockStart += VectorsPerBlock)
        {
            int blockEnd = Math.Min(vectorCount, blockStart + VectorsPerBlock);
            Vector512<double> sumOfSquaresLower = Vector512<double>.Zero;
            Vector512<double> sumOfSquaresUpper = Vector512<double>.Zero;
            Vector512<double> sumLower = Vector512<double>.Zero;
            Vector512<double> sumUpper = Vector512<double>.Zero;
            Vector512<float> maxAbs = Vector512<float>.Zero;
            Vector512<int> zeroLanes = Vector512<int>.Zero;
            for (int i = blockStart; i < blockEnd; i++)
            {
                Vector512<float> x = Vector512.LoadUnsafe(ref start, (nuint)i * (nuint)Vector512<float>.Count);
                maxAbs = Vector512.Max(maxAbs, Vector512.Abs(x));
                zeroLanes -= Vector512.Equals(x, Vector512<float>.Zero).AsInt32();
                (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(x);
                sumOfSquaresLower = Vector512.FusedMultiplyAdd(lower, lower, sumOfSquaresLower);
                sumOfSquaresUpper = Vector512.FusedMultiplyAdd(upper, upper, sumOfSquaresUpper);
                sumLower += lower;
                sumUpper += upper;
            }

            if (double.IsFinite(Vector512.Sum(sumOfSquaresLower + sumOfSquaresUpper)))
            {
                totals.SumOfSquares += sumOfSquaresLower + sumOfSquaresUpper;
                totals.Sum += sumLower + sumUpper;
                totals.MaxAbs = Vector512.Max(totals.MaxAbs, maxAbs);
                accumulator.ZeroCount += SumLanes(zeroLanes.GetLower()) + SumLanes(zeroLanes.GetUpper());
            }
            else
            {
                AccumulateMasked512(ref start, blockStart, blockEnd, ref totals, ref accumulator);
            }
        }

        accumulator.SumOfSquares += Vector512.Sum(totals.SumOfSquares);
        accumulator.Sum += Vector512.Sum(totals.Sum);
        accumulator.MaxAbs = Math.Max(accumulator.MaxAbs, MaxLane(Vector256.Max(totals.MaxAbs.GetLower(), totals.MaxAbs.GetUpper())));
        return vectorCount * Vector512<float>.Count;
    }

    private static void AccumulateMasked512(ref float start, int blockStart, int blockEnd, ref Totals512 totals, ref Accumulator accumulator)
    {
        Vector512<float> infinity = Vector512.Create(float.PositiveInfinity);
        Vector512<int> nonFiniteLanes = Vector512<int>.Zero;
        Vector512<int> zeroLanes = Vector512<int>.Zero;
        for (int i = blockStart; i < blockEnd; i++)
        {
            Vector512<float> x = Vector512.LoadUnsafe(ref start, (nuint)i * (nuint)Vector512<float>.Count);
            Vector512<float> abs = Vector512.Abs(x);
            Vector512<float> finite = Vector512.LessThan(abs, infinity);
            Vector512<float> kept = x & finite;
            nonFiniteLanes -= (~finite).AsInt32();
            zeroLanes -= Vector512.Equals(x, Vector512<float>.Zero).AsInt32();
            totals.MaxAbs = Vector512.Max(totals.MaxAbs, abs & finite);

            (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(kept);
            totals.SumOfSquares = Vector512.FusedMultiplyAdd(lower, lower, totals.SumOfSquares);
            totals.SumOfSquares = Vector512.FusedMultiplyAdd(upper, upper, totals.SumOfSquares);
            totals.Sum += lower + upper;
        }

        accumulator.NonFiniteCount += SumLanes(nonFiniteLanes.GetLower()) + SumLanes(nonFiniteLanes.GetUpper());
        accumulator.ZeroCount += SumLanes(zeroLanes.GetLower()) + SumLanes(zeroLanes.GetUpper());
    }

    private static long SumLanes(Vector256<int> lanes)
    {
        (Vector256<long> lower, Vector256<long> upper) = Vector256.Widen(lanes);
        return Vector256.Sum(lower + upper);
    }

    private static float MaxLane(Vector256<float> lanes)
    {
        Vector128<float> half = Vector128.Max(lanes.GetLower(), lanes.GetUpper());
        float max = 0f;
        for (int i = 0; i < Vector128<float>.Count; i++)
        {
            max = MathF.Max(max, half.GetElement(i));
        }

        return max;
    }

    private struct Totals256
    {
        public Vector256<double> SumOfSquares;
        public Vector256<double> Sum;
        public Vector256<float> MaxAbs;
    }

    private struct Totals512
    {
        public Vector512<double> SumOfSquares;
        public Vector512<double> Sum;
        public Vector512<float> MaxAbs;
    }

    private struct Accumulator
    {
        public double SumOfSquares;
        public double Sum;
        public double MaxAbs;
        public long NonFiniteCount;
        public long ZeroCount;

        public readonly TensorStatistics ToStatistics(int count) =>
            new(count, SumOfSquares, Sum, MaxAbs, NonFiniteCount, ZeroCount);
    }
}
