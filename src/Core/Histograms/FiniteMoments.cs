using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GradDiag;

/// <summary>The count, float64 sum and sum of squares, minimum and maximum of a tensor's finite elements.</summary>
internal readonly record struct FiniteMoments(long Count, double Sum, double SumOfSquares, double Min, double Max)
{
    /// <summary>Computes the moments in one vectorised pass, widening every finite element to float64 before it is added.</summary>
    /// <remarks>Min is <see cref="double.MaxValue"/> and Max is -<see cref="double.MaxValue"/> when no element is finite.</remarks>
    public static FiniteMoments Compute(ReadOnlySpan<float> values)
    {
        double sum = 0;
        double squares = 0;
        float min = float.MaxValue;
        float max = -float.MaxValue;
        long nonFinite = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<float>.Count)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            Vector256<float> infinity = Vector256.Create(float.PositiveInfinity);
            Vector256<float> largest = Vector256.Create(float.MaxValue);
            Vector256<double> sums = Vector256<double>.Zero;
            Vector256<double> squareSums = Vector256<double>.Zero;
            Vector256<float> mins = largest;
            Vector256<float> maxes = -largest;
            Vector256<int> nonFiniteLanes = Vector256<int>.Zero;
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref start, (nuint)i);

                // NaN compares false, so the mask is all ones exactly in the finite lanes.
                Vector256<float> finite = Vector256.LessThan(Vector256.Abs(x), infinity);
                (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(x & finite);
                sums += lower + upper;
                squareSums = Vector256.FusedMultiplyAdd(lower, lower, squareSums);
                squareSums = Vector256.FusedMultiplyAdd(upper, upper, squareSums);
                mins = Vector256.MinNative(mins, Vector256.ConditionalSelect(finite, x, largest));
                maxes = Vector256.MaxNative(maxes, Vector256.ConditionalSelect(finite, x, -largest));

                // A mask lane is -1 as an integer, so subtracting the inverted mask counts the non-finite lanes.
                nonFiniteLanes -= (~finite).AsInt32();
            }

            sum = Vector256.Sum(sums);
            squares = Vector256.Sum(squareSums);
            for (int lane = 0; lane < Vector256<float>.Count; lane++)
            {
                min = Math.Min(min, mins.GetElement(lane));
                max = Math.Max(max, maxes.GetElement(lane));
                nonFinite += nonFiniteLanes.GetElement(lane);
            }
        }

        for (; i < values.Length; i++)
        {
            float value = values[i];
            if (!float.IsFinite(value))
            {
                nonFinite++;
                continue;
            }

            double x = value;
            sum += x;
            squares += x * x;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        long count = values.Length - nonFinite;
        return count == 0
            ? new FiniteMoments(0, 0, 0, double.MaxValue, -double.MaxValue)
            : new FiniteMoments(count, sum, squares, min, max);
    }
}
