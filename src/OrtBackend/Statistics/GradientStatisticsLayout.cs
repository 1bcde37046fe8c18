namespace GradDiag.OrtBackend.Statistics;

/// <summary>
/// The column layout of the statistics output, one FLOAT row per parameter, and its conversion to
/// <see cref="TensorStatistics"/>.
/// </summary>
internal static class GradientStatisticsLayout
{
    /// <summary>Column 0: sum of squares of the finite gradient elements.</summary>
    public const int SumOfSquares = 0;

    /// <summary>Column 1: largest |g| among the finite gradient elements, 0 when none is finite.</summary>
    public const int MaxAbs = 1;

    /// <summary>Column 2: number of NaN, +Infinity and -Infinity gradient elements.</summary>
    public const int NonFiniteCount = 2;

    /// <summary>Column 3: number of gradient elements equal to zero (either sign).</summary>
    public const int ZeroCount = 3;

    /// <summary>Column 4: sum of the finite gradient elements.</summary>
    public const int Sum = 4;

    /// <summary>Column 5: sum of squares of the parameter's own finite values.</summary>
    public const int ParameterSumOfSquares = 5;

    /// <summary>The number of columns.</summary>
    public const int ColumnCount = 6;

    /// <summary>Gets the column names, in column order.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } =
        ["sum_of_squares", "max_abs", "non_finite_count", "zero_count", "sum", "parameter_sum_of_squares"];

    /// <summary>
    /// Converts the row of parameter <paramref name="index"/> to gradient statistics; float32 values widen
    /// to double, so the sums carry float32 accumulation error.
    /// </summary>
    /// <param name="table">The flat row-major [P, 6] output.</param>
    /// <param name="index">The parameter's row.</param>
    /// <param name="elementCount">The parameter's number of elements.</param>
    public static TensorStatistics ReadRow(ReadOnlySpan<float> table, int index, long elementCount)
    {
        var row = table.Slice(index * ColumnCount, ColumnCount);
        return new TensorStatistics(
            elementCount,
            row[SumOfSquares],
            row[Sum],
            row[MaxAbs],
            (long)row[NonFiniteCount],
            (long)row[ZeroCount]);
    }

    /// <summary>Returns the parameter's own sum of squares from the row of parameter <paramref name="index"/>.</summary>
    public static double ReadParameterSumOfSquares(ReadOnlySpan<float> table, int index) =>
        table[(index * ColumnCount) + ParameterSumOfSquares];
}
