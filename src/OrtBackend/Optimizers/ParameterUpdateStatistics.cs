namespace GradDiag.OrtBackend.Optimizers;

/// <summary>What one observed pass of <see cref="HostOptimizer"/> measured over one parameter.</summary>
/// <param name="Gradient">The statistics of the gradient as the backward pass gave it, before any clipping.</param>
/// <param name="OldValueSquares">The sum of squares of the finite values before the update, or NaN when not asked for.</param>
/// <param name="NewValueSquares">The sum of squares of the finite values after the update.</param>
/// <param name="UpdateSquares">Σ(new − old)², NaN or +Infinity when an old or new value is not finite.</param>
internal readonly record struct ParameterUpdateStatistics(TensorStatistics Gradient, double OldValueSquares, double NewValueSquares, double UpdateSquares)
{
    /// <summary>Returns the measurements of two disjoint ranges of one parameter taken together.</summary>
    public static ParameterUpdateStatistics Combine(in ParameterUpdateStatistics first, in ParameterUpdateStatistics second)
    {
        TensorStatistics a = first.Gradient;
        TensorStatistics b = second.Gradient;
        var gradient = new TensorStatistics(
            a.Count + b.Count,
            a.SumOfSquares + b.SumOfSquares,
            a.Sum + b.Sum,
            Math.Max(a.MaxAbs, b.MaxAbs),
            a.NonFiniteCount + b.NonFiniteCount,
            a.ZeroCount + b.ZeroCount);
        return new ParameterUpdateStatistics(
            gradient,
            first.OldValueSquares + second.OldValueSquares,
            first.NewValueSquares + second.NewValueSquares,
            first.UpdateSquares + second.UpdateSquares);
    }
}
