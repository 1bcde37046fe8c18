using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GradDiag;

// NOTE: On a 4 KB buffer this kernel measured 57 % of TensorPrimitives.Sum's throughput and 72 % of a plain
// one-accumulator vector loop's (docs/benchmarks.md). Its loop alone, without setup and the float64 reductions,
// reached 68 % of TensorPrimitives.Sum in a separate experiment, which looks like the floor of its FMA, add,
// vrangeps and compare per vector on this CPU.
/// <summary>
/// Computes <see cref="TensorStatistics"/> of a float32 tensor in one vectorised pass over its elements.
/// </summary>
/// <remarks>
/// <para>
/// The vector paths read the tensor in blocks of 1024 elements. Each block's squares and sum are accumulated in
/// float32 lanes with four independent accumulators, and the block's partial sums are then added into float64
/// totals. A block is computed again from its elements in float64, with NaN and ±Infinity masked out, when its
/// float32 sum of squares is not finite or when its largest |x| is nonzero but below 2^-50. The first case
/// catches NaN, ±Infinity, and squares or per-lane sums of squares above float.MaxValue. The second keeps squares
/// that would underflow float32 (denormal elements) exact. So the norm of a tensor whose true norm is finite
/// never overflows, and NaN and ±Infinity never reach the sums or the maximum.
/// </para>
/// <para>
/// Error bound: in a float32 block each lane adds at most 32 terms with one rounding each (16 on the 512-bit
/// path), and the four accumulators are then added pairwise. So a block's sum of squares is within 34 × 2^-24
/// (about 2.1e-6) relative of its exact value, and a block's sum within 2.1e-6 times the block's sum of |x|. The
/// float64 totals add at most 1.1e-16 relative per block added to a lane, which is about 7e-12 for 64 M elements
/// (65536 blocks). The same bounds therefore hold for the whole tensor. Squares below float32's normal range
/// (elements below 2^-63) lose at most 2^-150 each. In a block whose largest |x| is at least 2^-50 that is at
/// most 1e-12 of the block's sum of squares. The bound is a worst case. On 16 M random elements the tests check
/// an error below 1e-7.
/// </para>
/// </remarks>
public static class TensorStatisticsKernel
{
    /// <summary>The relative error bound stated in the remarks, for the sum of squares and for the sum (against the sum of |x|).</summary>
    internal const double RelativeErrorBound = 34.0 / (1 << 24);

    private const int ElementsPerBlock = 1024;

    // Blocks whose largest |x| is below 2^-50 (8.9e-16) are computed in float64. Squares below 2^-126 are float32
    // denormals with fewer significant bits, and in such a block they could carry more than 1e-12 of its sum.
    private const float SmallBlockMax = 8.8817842e-16f;

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

        if (offset < values.Length)
        {
            AccumulateScalar(values[offset..], ref accumulator);
        }

        return accumulator.ToStatistics(values.Length);
    }

    /// <summary>
    /// Computes Σ(a[i] − b[i])² over two tensors of equal length, and in the same pass the sum of squares of the
    /// finite elements of <paramref name="a"/>: for a parameter after and before an update, the update's sum of
    /// squares and the new parameter's.
    /// </summary>
    /// <remarks>
    /// Each difference is taken in float32, and squares are added in float64. A NaN or ±Infinity in either tensor
    /// makes the first result NaN or +Infinity, while <paramref name="sumOfSquaresOfA"/> leaves such elements out,
    /// as <see cref="TensorStatistics.SumOfSquares"/> does.
    /// </remarks>
    /// <param name="a">The first tensor.</param>
    /// <param name="b">The second tensor.</param>
    /// <param name="sumOfSquaresOfA">Receives the sum of squares of the finite elements of <paramref name="a"/>.</param>
    /// <returns>The sum of squared differences.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double SumOfSquaredDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b, out double sumOfSquaresOfA)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"The tensors have {a.Length} and {b.Length} elements; they must have the same number.", nameof(b));
        }

        double differences = 0;
        double squares = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && a.Length >= Vector256<float>.Count)
        {
            ref float aStart = ref MemoryMarshal.GetReference(a);
            ref float bStart = ref MemoryMarshal.GetReference(b);
            Vector256<float> infinity = Vector256.Create(float.PositiveInfinity);
            Vector256<double> lowerDifferences = Vector256<double>.Zero;
            Vector256<double> upperDifferences = Vector256<double>.Zero;
            Vector256<double> lowerSquares = Vector256<double>.Zero;
            Vector256<double> upperSquares = Vector256<double>.Zero;
            for (; i <= a.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref aStart, (nuint)i);
                (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(x - Vector256.LoadUnsafe(ref bStart, (nuint)i));
                lowerDifferences = Vector256.FusedMultiplyAdd(lower, lower, lowerDifferences);
                upperDifferences = Vector256.FusedMultiplyAdd(upper, upper, upperDifferences);

                // NaN compares false, so the mask clears exactly the lanes that are not finite.
                (lower, upper) = Vector256.Widen(x & Vector256.LessThan(Vector256.Abs(x), infinity));
                lowerSquares = Vector256.FusedMultiplyAdd(lower, lower, lowerSquares);
                upperSquares = Vector256.FusedMultiplyAdd(upper, upper, upperSquares);
            }

            differences = Vector256.Sum(lowerDifferences + upperDifferences);
            squares = Vector256.Sum(lowerSquares + upperSquares);
        }

        for (; i < a.Length; i++)
        {
            double difference = a[i] - b[i];
            differences += difference * difference;
            double x = float.IsFinite(a[i]) ? a[i] : 0;
            squares += x * x;
        }

        sumOfSquaresOfA = squares;
        return differences;
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

    /// <summary>Computes the statistics with scalar float64 code only, as a reference for the vector paths.</summary>
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

    private static int AccumulateVector512(ReadOnlySpan<float> values, ref Accumulator accumulator)
    {
        const int width = 16;
        const int vectorsPerBlock = ElementsPerBlock / width;
        ref float start = ref MemoryMarshal.GetReference(values);
        int vectorCount = values.Length / width;
        var totals = default(Totals512);
        uint zeros = 0;
        for (int blockStart = 0; blockStart < vectorCount; blockStart += vectorsPerBlock)
        {
            int blockEnd = Math.Min(vectorCount, blockStart + vectorsPerBlock);

            // Four independent accumulators per quantity hide the latency of the adds.
            Vector512<float> squares0 = Vector512<float>.Zero, squares1 = Vector512<float>.Zero;
            Vector512<float> squares2 = Vector512<float>.Zero, squares3 = Vector512<float>.Zero;
            Vector512<float> sum0 = Vector512<float>.Zero, sum1 = Vector512<float>.Zero;
            Vector512<float> sum2 = Vector512<float>.Zero, sum3 = Vector512<float>.Zero;
            Vector512<float> max0 = Vector512<float>.Zero, max1 = Vector512<float>.Zero;
            Vector512<float> max2 = Vector512<float>.Zero, max3 = Vector512<float>.Zero;
            int i = blockStart;
            for (; i + 4 <= blockEnd; i += 4)
            {
                nuint index = (nuint)i * width;
                Vector512<float> x0 = Vector512.LoadUnsafe(ref start, index);
                Vector512<float> x1 = Vector512.LoadUnsafe(ref start, index + width);
                Vector512<float> x2 = Vector512.LoadUnsafe(ref start, index + (2 * width));
                Vector512<float> x3 = Vector512.LoadUnsafe(ref start, index + (3 * width));
                squares0 = Vector512.FusedMultiplyAdd(x0, x0, squares0);
                squares1 = Vector512.FusedMultiplyAdd(x1, x1, squares1);
                squares2 = Vector512.FusedMultiplyAdd(x2, x2, squares2);
                squares3 = Vector512.FusedMultiplyAdd(x3, x3, squares3);
                sum0 += x0;
                sum1 += x1;
                sum2 += x2;
                sum3 += x3;

                // A NaN can win the maximum, but it also makes the block's sum of squares NaN, and the block is then
                // computed again with masks. NaN and ±Infinity never compare equal to zero, so zeros are counted
                // here for every block.
                max0 = MaxAbs(max0, x0);
                max1 = MaxAbs(max1, x1);
                max2 = MaxAbs(max2, x2);
                max3 = MaxAbs(max3, x3);
                zeros += CountZeros(x0);
                zeros += CountZeros(x1);
                zeros += CountZeros(x2);
                zeros += CountZeros(x3);
            }

            for (; i < blockEnd; i++)
            {
                Vector512<float> x = Vector512.LoadUnsafe(ref start, (nuint)i * width);
                squares0 = Vector512.FusedMultiplyAdd(x, x, squares0);
                sum0 += x;
                max0 = MaxAbs(max0, x);
                zeros += CountZeros(x);
            }

            Vector512<float> squares = (squares0 + squares1) + (squares2 + squares3);
            Vector512<float> max = Vector512.MaxNative(Vector512.MaxNative(max0, max1), Vector512.MaxNative(max2, max3));
            if (IsFloat32BlockExact(squares, max))
            {
                (Vector512<double> squaresLower, Vector512<double> squaresUpper) = Vector512.Widen(squares);
                (Vector512<double> sumLower, Vector512<double> sumUpper) = Vector512.Widen((sum0 + sum1) + (sum2 + sum3));
                totals.SumOfSquares += squaresLower + squaresUpper;
                totals.Sum += sumLower + sumUpper;
                totals.MaxAbs = Vector512.MaxNative(totals.MaxAbs, max);
            }
            else
            {
                AccumulateFloat64Block512(ref start, blockStart, blockEnd, ref totals, ref accumulator);
            }
        }

        accumulator.SumOfSquares += Vector512.Sum(totals.SumOfSquares);
        accumulator.Sum += Vector512.Sum(totals.Sum);
        accumulator.MaxAbs = Math.Max(accumulator.MaxAbs, MaxLane(Vector256.MaxNative(totals.MaxAbs.GetLower(), totals.MaxAbs.GetUpper())));
        accumulator.ZeroCount += zeros;
        return vectorCount * width;
    }

    /// <summary>
    /// Returns whether a block's float32 partial sums can be kept: its sum of squares is finite (so it contains no
    /// NaN, no ±Infinity and no overflow) and its largest |x| is zero or at least 2^-50.
    /// </summary>
    private static bool IsFloat32BlockExact(Vector512<float> squares, Vector512<float> max)
    {
        // NaN compares false, so a NaN lane fails the first test.
        if (!Vector512.LessThanAll(squares, Vector512.Create(float.PositiveInfinity)))
        {
            return false;
        }

        return !Vector512.LessThanAll(max, Vector512.Create(SmallBlockMax)) || Vector512.EqualsAll(max, Vector512<float>.Zero);
    }

    private static void AccumulateFloat64Block512(ref float start, int blockStart, int blockEnd, ref Totals512 totals, ref Accumulator accumulator)
    {
        Vector512<float> infinity = Vector512.Create(float.PositiveInfinity);
        Vector512<int> nonFiniteLanes = Vector512<int>.Zero;
        for (int i = blockStart; i < blockEnd; i++)
        {
            Vector512<float> x = Vector512.LoadUnsafe(ref start, (nuint)i * (nuint)Vector512<float>.Count);
            Vector512<float> abs = Vector512.Abs(x);

            // NaN compares false, so the mask is all ones exactly in the finite lanes.
            Vector512<float> finite = Vector512.LessThan(abs, infinity);
            Vector512<float> kept = x & finite;

            // A mask lane is -1 as an integer, so subtracting it counts the lane.
            nonFiniteLanes -= (~finite).AsInt32();
            totals.MaxAbs = Vector512.MaxNative(totals.MaxAbs, abs & finite);

            (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(kept);
            totals.SumOfSquares = Vector512.FusedMultiplyAdd(lower, lower, totals.SumOfSquares);
            totals.SumOfSquares = Vector512.FusedMultiplyAdd(upper, upper, totals.SumOfSquares);
            totals.Sum += lower + upper;
        }

        accumulator.NonFiniteCount += SumLanes(nonFiniteLanes.GetLower()) + SumLanes(nonFiniteLanes.GetUpper());
    }

    private static int AccumulateVector256(ReadOnlySpan<float> values, ref Accumulator accumulator)
    {
        const int width = 8;
        const int vectorsPerBlock = ElementsPerBlock / width;
        ref float start = ref MemoryMarshal.GetReference(values);
        int vectorCount = values.Length / width;
        var totals = default(Totals256);
        uint zeros = 0;
        for (int blockStart = 0; blockStart < vectorCount; blockStart += vectorsPerBlock)
        {
            int blockEnd = Math.Min(vectorCount, blockStart + vectorsPerBlock);
            Vector256<float> squares0 = Vector256<float>.Zero, squares1 = Vector256<float>.Zero;
            Vector256<float> squares2 = Vector256<float>.Zero, squares3 = Vector256<float>.Zero;
            Vector256<float> sum0 = Vector256<float>.Zero, sum1 = Vector256<float>.Zero;
            Vector256<float> sum2 = Vector256<float>.Zero, sum3 = Vector256<float>.Zero;
            Vector256<float> max0 = Vector256<float>.Zero, max1 = Vector256<float>.Zero;
            Vector256<float> max2 = Vector256<float>.Zero, max3 = Vector256<float>.Zero;
            int i = blockStart;
            for (; i + 4 <= blockEnd; i += 4)
            {
                nuint index = (nuint)i * width;
                Vector256<float> x0 = Vector256.LoadUnsafe(ref start, index);
                Vector256<float> x1 = Vector256.LoadUnsafe(ref start, index + width);
                Vector256<float> x2 = Vector256.LoadUnsafe(ref start, index + (2 * width));
                Vector256<float> x3 = Vector256.LoadUnsafe(ref start, index + (3 * width));
                squares0 = Vector256.FusedMultiplyAdd(x0, x0, squares0);
                squares1 = Vector256.FusedMultiplyAdd(x1, x1, squares1);
                squares2 = Vector256.FusedMultiplyAdd(x2, x2, squares2);
                squares3 = Vector256.FusedMultiplyAdd(x3, x3, squares3);
                sum0 += x0;
                sum1 += x1;
                sum2 += x2;
                sum3 += x3;
                max0 = MaxAbs(max0, x0);
                max1 = MaxAbs(max1, x1);
                max2 = MaxAbs(max2, x2);
                max3 = MaxAbs(max3, x3);
                zeros += CountZeros(x0);
                zeros += CountZeros(x1);
                zeros += CountZeros(x2);
                zeros += CountZeros(x3);
            }

            for (; i < blockEnd; i++)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref start, (nuint)i * width);
                squares0 = Vector256.FusedMultiplyAdd(x, x, squares0);
                sum0 += x;
                max0 = MaxAbs(max0, x);
                zeros += CountZeros(x);
            }

            Vector256<float> squares = (squares0 + squares1) + (squares2 + squares3);
            Vector256<float> max = Vector256.MaxNative(Vector256.MaxNative(max0, max1), Vector256.MaxNative(max2, max3));
            if (IsFloat32BlockExact(squares, max))
            {
                (Vector256<double> squaresLower, Vector256<double> squaresUpper) = Vector256.Widen(squares);
                (Vector256<double> sumLower, Vector256<double> sumUpper) = Vector256.Widen((sum0 + sum1) + (sum2 + sum3));
                totals.SumOfSquares += squaresLower + squaresUpper;
                totals.Sum += sumLower + sumUpper;
                totals.MaxAbs = Vector256.MaxNative(totals.MaxAbs, max);
            }
            else
            {
                AccumulateFloat64Block256(ref start, blockStart, blockEnd, ref totals, ref accumulator);
            }
        }

        accumulator.SumOfSquares += Vector256.Sum(totals.SumOfSquares);
        accumulator.Sum += Vector256.Sum(totals.Sum);
        accumulator.MaxAbs = Math.Max(accumulator.MaxAbs, MaxLane(totals.MaxAbs));
        accumulator.ZeroCount += zeros;
        return vectorCount * width;
    }

    /// <summary>Returns whether a block's float32 partial sums can be kept, as for the 512-bit path.</summary>
    private static bool IsFloat32BlockExact(Vector256<float> squares, Vector256<float> max)
    {
        if (!Vector256.LessThanAll(squares, Vector256.Create(float.PositiveInfinity)))
        {
            return false;
        }

        return !Vector256.LessThanAll(max, Vector256.Create(SmallBlockMax)) || Vector256.EqualsAll(max, Vector256<float>.Zero);
    }

    private static void AccumulateFloat64Block256(ref float start, int blockStart, int blockEnd, ref Totals256 totals, ref Accumulator accumulator)
    {
        Vector256<float> infinity = Vector256.Create(float.PositiveInfinity);
        Vector256<int> nonFiniteLanes = Vector256<int>.Zero;
        for (int i = blockStart; i < blockEnd; i++)
        {
            Vector256<float> x = Vector256.LoadUnsafe(ref start, (nuint)i * (nuint)Vector256<float>.Count);
            Vector256<float> abs = Vector256.Abs(x);
            Vector256<float> finite = Vector256.LessThan(abs, infinity);
            Vector256<float> kept = x & finite;
            nonFiniteLanes -= (~finite).AsInt32();
            totals.MaxAbs = Vector256.MaxNative(totals.MaxAbs, abs & finite);

            (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(kept);
            totals.SumOfSquares = Vector256.FusedMultiplyAdd(lower, lower, totals.SumOfSquares);
            totals.SumOfSquares = Vector256.FusedMultiplyAdd(upper, upper, totals.SumOfSquares);
            totals.Sum += lower + upper;
        }

        accumulator.NonFiniteCount += SumLanes(nonFiniteLanes);
    }

    /// <summary>Returns the lane-wise maximum of <paramref name="max"/> and |<paramref name="x"/>|, for non-NaN lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MaxAbs(Vector512<float> max, Vector512<float> x)
    {
        // vrangeps with control 0b1011 selects the operand with the larger magnitude and clears its sign bit in
        // one instruction, where Abs and MaxNative take two.
        return Avx512DQ.IsSupported ? Avx512DQ.Range(max, x, 0b1011) : Vector512.MaxNative(max, Vector512.Abs(x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MaxAbs(Vector256<float> max, Vector256<float> x) =>
        Avx512DQ.VL.IsSupported ? Avx512DQ.VL.Range(max, x, 0b1011) : Vector256.MaxNative(max, Vector256.Abs(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint CountZeros(Vector512<float> x) =>
        (uint)BitOperations.PopCount(Vector512.Equals(x, Vector512<float>.Zero).ExtractMostSignificantBits());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint CountZeros(Vector256<float> x) =>
        (uint)BitOperations.PopCount(Vector256.Equals(x, Vector256<float>.Zero).ExtractMostSignificantBits());

    private static long SumLanes(Vector256<int> lanes)
    {
        (Vector256<long> lower, Vector256<long> upper) = Vector256.Widen(lanes);
        return Vector256.Sum(lower + upper);
    }

    /// <summary>Returns the largest lane of non-negative, non-NaN lanes by halving the vector three times.</summary>
    private static float MaxLane(Vector256<float> lanes)
    {
        Vector128<float> half = Vector128.MaxNative(lanes.GetLower(), lanes.GetUpper());
        Vector128<float> quarter = Vector128.MaxNative(half, Vector128.Shuffle(half, Vector128.Create(2, 3, 0, 1)));
        return Vector128.MaxNative(quarter, Vector128.Shuffle(quarter, Vector128.Create(1, 0, 3, 2))).ToScalar();
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
