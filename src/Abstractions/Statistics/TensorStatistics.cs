namespace GradDiag;

/// <summary>
/// Raw moments of one tensor, computed in a single pass on the host or inside the training graph on the device.
/// </summary>
/// <remarks>
/// Sums cover finite elements only; NaN and ±Infinity are counted in <see cref="NonFiniteCount"/> and never
/// reach the sums or <see cref="MaxAbs"/>, so one bad element cannot hide the scale of the others.
/// </remarks>
/// <param name="Count">The number of elements, finite or not.</param>
/// <param name="SumOfSquares">The sum of squares of the finite elements; a finite true value never overflows to infinity.</param>
/// <param name="Sum">The sum of the finite elements, or NaN when the producer does not compute it.</param>
/// <param name="MaxAbs">The largest absolute value among the finite elements; 0 when none is finite.</param>
/// <param name="NonFiniteCount">The number of NaN, +Infinity and -Infinity elements.</param>
/// <param name="ZeroCount">The number of elements equal to zero (either sign).</param>
public readonly record struct TensorStatistics(
    long Count,
    double SumOfSquares,
    double Sum,
    double MaxAbs,
    long NonFiniteCount,
    long ZeroCount)
{
    /// <summary>Gets the L2 norm of the finite elements.</summary>
    public double L2Norm => Math.Sqrt(SumOfSquares);

    /// <summary>Gets the number of finite elements.</summary>
    public long FiniteCount => Count - NonFiniteCount;
}
