namespace GradDiag;

/// <summary>
/// The statistics of one parameter's gradient at one step. A value that the source did not supply is NaN.
/// </summary>
/// <param name="L2Norm">The L2 norm of the gradient's finite elements.</param>
/// <param name="Rms">The root mean square of the gradient's finite elements.</param>
/// <param name="Mean">The mean of the gradient's finite elements.</param>
/// <param name="MaxAbs">The largest finite absolute value of the gradient.</param>
/// <param name="ZeroFraction">The fraction of gradient elements equal to zero, in [0, 1].</param>
/// <param name="NonFiniteCount">The number of NaN or infinite gradient elements; -1 when unknown.</param>
/// <param name="ParameterNorm">The L2 norm of the parameter's values.</param>
/// <param name="GradientToParameterRatio">The gradient norm divided by the parameter norm.</param>
/// <param name="UpdateNorm">The L2 norm of the update the optimizer applied at this step.</param>
/// <param name="UpdateToParameterRatio">The update norm divided by the parameter norm before the update.</param>
public readonly record struct ParameterStatistics(
    double L2Norm,
    double Rms,
    double Mean,
    double MaxAbs,
    double ZeroFraction,
    long NonFiniteCount,
    double ParameterNorm,
    double GradientToParameterRatio,
    double UpdateNorm,
    double UpdateToParameterRatio)
{
    /// <summary>Gets statistics where every value is unknown.</summary>
    public static ParameterStatistics Unknown { get; } = new(
        double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, -1, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>Creates statistics where only the gradient norm is known, as when they are read back from a log.</summary>
    public static ParameterStatistics FromNorm(double l2Norm) => Unknown with
    {
        L2Norm = l2Norm,
        NonFiniteCount = double.IsFinite(l2Norm) ? 0 : 1,
    };

    /// <summary>Gets a value indicating whether the gradient held NaN or infinite elements, or its norm is not finite.</summary>
    public bool HasNonFinite => NonFiniteCount > 0 || double.IsNaN(L2Norm) || double.IsInfinity(L2Norm);
}
