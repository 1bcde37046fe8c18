namespace GradDiag.Core.Tests.Statistics;

public class TensorStatisticsKernelTests
{
    // The kernel's stated worst-case relative error for float32 blocks. Blocks computed in float64 (those with
    // NaN, ±Infinity, squares above float.MaxValue or a largest |x| below 2^-50) are checked at 1e-12.
    private const double Bound = TensorStatisticsKernel.RelativeErrorBound;

    public static TheoryData<bool> Paths => [false, true];

    public static TheoryData<int> Lengths => [0, 1, 7, 8, 15, 16, 17, 31, 33, 64, 1000, 4099];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Compute_MixedValues_MatchesFloat64Reference(int length)
    {
        float[] values = MixedValues(length, seed: length);

        TensorStatistics actual = TensorStatisticsKernel.Compute(values);
        Reference expected = Reference.Of(values);

        actual.Count.Should().Be(length);
        actual.NonFiniteCount.Should().Be(expected.NonFinite);
        actual.ZeroCount.Should().Be(expected.Zeros);
        actual.MaxAbs.Should().Be(expected.MaxAbs);
        actual.SumOfSquares.Should().BeApproximately(expected.SumOfSquares, Bound * Math.Max(expected.SumOfSquares, 1e-300));
        actual.Sum.Should().BeApproximately(expected.Sum, Bound * Math.Max(expected.SumOfAbs, 1e-300));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Compute_VectorPath_MatchesScalarPath(int length)
    {
        float[] values = MixedValues(length, seed: 1000 + length);

        TensorStatistics vector = TensorStatisticsKernel.Compute(values);
        TensorStatistics scalar = TensorStatisticsKernel.ComputeScalar(values);

        vector.NonFiniteCount.Should().Be(scalar.NonFiniteCount);
        vector.ZeroCount.Should().Be(scalar.ZeroCount);
        vector.MaxAbs.Should().Be(scalar.MaxAbs);
        vector.SumOfSquares.Should().BeApproximately(scalar.SumOfSquares, Bound * Math.Max(scalar.SumOfSquares, 1e-300));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ComputeVector256_MixedValues_MatchesScalarPath(int length)
    {
        float[] values = MixedValues(length, seed: 2000 + length);

        TensorStatistics vector = TensorStatisticsKernel.ComputeVector256(values);
        TensorStatistics scalar = TensorStatisticsKernel.ComputeScalar(values);

        vector.NonFiniteCount.Should().Be(scalar.NonFiniteCount);
        vector.ZeroCount.Should().Be(scalar.ZeroCount);
        vector.MaxAbs.Should().Be(scalar.MaxAbs);
        vector.Sum.Should().BeApproximately(scalar.Sum, 1e-9 * Math.Max(Math.Abs(scalar.Sum), 1e30));
        vector.SumOfSquares.Should().BeApproximately(scalar.SumOfSquares, Bound * Math.Max(scalar.SumOfSquares, 1e-300));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(70_001)]
    [InlineData(99_999)]
    public void Compute_OneBadBlock_MatchesReference(int nanIndex)
    {
        var random = new Random(9);
        float[] values = new float[100_000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i % 7 == 0 ? 0f : (float)((random.NextDouble() - 0.5) * 1e-3);
        }

        if (nanIndex >= 0)
        {
            values[nanIndex] = float.NaN;
            values[nanIndex / 2] = float.NegativeInfinity;
        }

        foreach (TensorStatistics actual in new[] { TensorStatisticsKernel.Compute(values), TensorStatisticsKernel.ComputeVector256(values) })
        {
            Reference expected = Reference.Of(values);
            actual.NonFiniteCount.Should().Be(expected.NonFinite);
            actual.ZeroCount.Should().Be(expected.Zeros);
            actual.MaxAbs.Should().Be(expected.MaxAbs);
            actual.SumOfSquares.Should().BeApproximately(expected.SumOfSquares, Bound * expected.SumOfSquares);
            actual.Sum.Should().BeApproximately(expected.Sum, Bound * expected.SumOfAbs);
        }
    }

    [Fact]
    public void Compute_HugeValues_NormStaysFinite()
    {
        float[] values = Enumerable.Repeat(1e20f, 1000).ToArray();

        TensorStatistics statistics = TensorStatisticsKernel.Compute(values);

        double expected = (double)1e20f * Math.Sqrt(1000);
        statistics.L2Norm.Should().BeApproximately(expected, expected * 1e-12);
        double.IsFinite(statistics.L2Norm).Should().BeTrue();
    }

    [Fact]
    public void Compute_FloatMaxValue_NormStaysFinite()
    {
        float[] values = Enumerable.Repeat(float.MaxValue, 100).Append(-float.MaxValue).ToArray();

        TensorStatistics statistics = TensorStatisticsKernel.Compute(values);

        statistics.L2Norm.Should().BeApproximately(float.MaxValue * Math.Sqrt(101), float.MaxValue * 1e-9);
        statistics.MaxAbs.Should().Be(float.MaxValue);
    }

    [Fact]
    public void Compute_NaNAmongValues_KeepsFiniteMax()
    {
        float[] values = new float[40];
        Array.Fill(values, 0.5f);
        values[3] = float.NaN;
        values[17] = float.PositiveInfinity;
        values[38] = float.NegativeInfinity;
        values[20] = -2f;

        TensorStatistics statistics = TensorStatisticsKernel.Compute(values);

        statistics.MaxAbs.Should().Be(2);
        statistics.NonFiniteCount.Should().Be(3);
        statistics.FiniteCount.Should().Be(37);
        statistics.SumOfSquares.Should().BeApproximately((36 * 0.25) + 4, 1e-12);
        statistics.Sum.Should().BeApproximately((36 * 0.5) - 2, 1e-12);
    }

    [Fact]
    public void Compute_AllNonFinite_MaxAbsIsZero()
    {
        float[] values = Enumerable.Repeat(float.NaN, 20).ToArray();

        TensorStatistics statistics = TensorStatisticsKernel.Compute(values);

        statistics.MaxAbs.Should().Be(0);
        statistics.NonFiniteCount.Should().Be(20);
        statistics.SumOfSquares.Should().Be(0);
    }

    [Fact]
    public void Compute_Denormals_ContributeToNorm()
    {
        float[] values = Enumerable.Repeat(float.Epsilon, 64).ToArray();

        TensorStatistics statistics = TensorStatisticsKernel.Compute(values);

        double expected = 64 * (double)float.Epsilon * float.Epsilon;
        statistics.SumOfSquares.Should().BeApproximately(expected, expected * 1e-12);
        statistics.ZeroCount.Should().Be(0);
        statistics.MaxAbs.Should().Be(float.Epsilon);
    }

    [Fact]
    public void Compute_NegativeZero_CountsAsZero()
    {
        float[] values = [-0f, 0f, -0f, 1f, -0f, 0f, 0f, 0f, -0f, 2f];

        TensorStatistics statistics = TensorStatisticsKernel.Compute(values);

        statistics.ZeroCount.Should().Be(8);
        statistics.SumOfSquares.Should().Be(5);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Compute_LargeRandomBuffer_TypicalErrorSmall(bool vector256)
    {
        // 16 M elements (a 64 MB buffer) of gradient-like values, all in float32 blocks.
        float[] values = new float[1 << 24];
        var random = new Random(5);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() - 0.5) * 1e-3);
        }

        TensorStatistics actual = ComputeOnPath(values, vector256);
        Reference expected = Reference.Of(values);

        RelativeError(actual.SumOfSquares, expected.SumOfSquares, expected.SumOfSquares).Should().BeLessThan(1e-7);
        RelativeError(actual.Sum, expected.Sum, expected.SumOfAbs).Should().BeLessThan(1e-7);
        actual.MaxAbs.Should().Be(expected.MaxAbs);
        actual.ZeroCount.Should().Be(expected.Zeros);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Compute_ManySmallAfterOneLarge_WithinBound(bool vector256)
    {
        // Summed in one float32 accumulator, the 1e-3 values after the 1e4 value would be lost entirely. Blocks
        // flushed into float64 lose at most the stated bound of each block's own sum.
        float[] values = new float[1 << 20];
        Array.Fill(values, 1e-3f);
        values[0] = 1e4f;

        TensorStatistics actual = ComputeOnPath(values, vector256);
        Reference expected = Reference.Of(values);

        RelativeError(actual.SumOfSquares, expected.SumOfSquares, expected.SumOfSquares).Should().BeLessThan(Bound);
        RelativeError(actual.Sum, expected.Sum, expected.SumOfAbs).Should().BeLessThan(Bound);
        actual.MaxAbs.Should().Be(1e4f);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Compute_HugeElementInOneBlock_NormFinite(bool vector256)
    {
        // 1e20 squares to 1e40, above float.MaxValue, so its block must be computed in float64.
        float[] values = new float[10_000];
        Array.Fill(values, 0.5f);
        values[4321] = -1e20f;

        TensorStatistics actual = ComputeOnPath(values, vector256);

        double huge = 1e20f;
        double expected = (huge * huge) + (9_999 * 0.25);
        actual.SumOfSquares.Should().BeApproximately(expected, expected * 1e-12);
        double.IsFinite(actual.L2Norm).Should().BeTrue();
        actual.MaxAbs.Should().Be(1e20f);
        actual.NonFiniteCount.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Compute_LaneSumOverflowsFloat32_IsExact(bool vector256)
    {
        // Each square (2.5e37) fits float32, but the 16 or 32 squares one vector lane adds in a block (at least
        // 4e38) do not, so the blocks are redone in float64.
        float[] values = Enumerable.Repeat(5e18f, 2048).ToArray();

        TensorStatistics actual = ComputeOnPath(values, vector256);

        double element = 5e18f;
        double expected = 2048 * element * element;
        actual.SumOfSquares.Should().BeApproximately(expected, expected * 1e-12);
        actual.Sum.Should().BeApproximately(2048 * element, 2048 * element * 1e-12);
        actual.MaxAbs.Should().Be(5e18f);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Compute_TinyBlocks_KeepSquares(bool vector256)
    {
        // Squares of 1e-20 (1e-40) are float32 denormals, and squares of 1e-30 underflow to zero.
        float[] values = new float[4096];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i < 2048 ? 1e-20f : -1e-30f;
        }

        TensorStatistics actual = ComputeOnPath(values, vector256);
        Reference expected = Reference.Of(values);

        actual.SumOfSquares.Should().BeApproximately(expected.SumOfSquares, expected.SumOfSquares * 1e-12);
        actual.Sum.Should().BeApproximately(expected.Sum, expected.SumOfAbs * 1e-12);
        actual.MaxAbs.Should().Be(1e-20f);
        actual.ZeroCount.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Compute_ZeroBlocks_CountedOnce(bool vector256)
    {
        // Whole blocks of ±0 stay on the float32 path, and a NaN block is redone without counting its zeros twice.
        float[] values = new float[5000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i % 2 == 0 ? 0f : -0f;
        }

        values[3000] = 2f;
        values[3001] = float.NaN;
        values[4999] = float.NegativeInfinity;

        TensorStatistics actual = ComputeOnPath(values, vector256);

        actual.ZeroCount.Should().Be(4997);
        actual.NonFiniteCount.Should().Be(2);
        actual.SumOfSquares.Should().Be(4);
        actual.Sum.Should().Be(2);
        actual.MaxAbs.Should().Be(2);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Compute_NaNBesideLargestValue_KeepsFiniteMax(bool vector256)
    {
        float[] values = new float[3000];
        Array.Fill(values, -0.25f);
        values[1500] = -7f;
        values[1501] = float.NaN;
        values[10] = float.PositiveInfinity;

        TensorStatistics actual = ComputeOnPath(values, vector256);

        actual.MaxAbs.Should().Be(7);
        actual.NonFiniteCount.Should().Be(2);
        actual.SumOfSquares.Should().BeApproximately(49 + (2997 * 0.0625), 1e-9);
        actual.Sum.Should().BeApproximately(-7 - (2997 * 0.25), 1e-9);
    }

    private static TensorStatistics ComputeOnPath(float[] values, bool vector256) =>
        vector256 ? TensorStatisticsKernel.ComputeVector256(values) : TensorStatisticsKernel.Compute(values);

    private static double RelativeError(double actual, double expected, double scale) => Math.Abs(actual - expected) / scale;

    /// <summary>Random normal-ish values with NaN, ±Inf, zeros, denormals and large values sprinkled in.</summary>
    internal static float[] MixedValues(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            int kind = random.Next(20);
            values[i] = kind switch
            {
                0 => float.NaN,
                1 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                2 => 0f,
                3 => -0f,
                4 => float.Epsilon * random.Next(1, 1000) * (random.Next(2) == 0 ? 1 : -1),
                5 => (float)(random.NextDouble() * 1e30),
                _ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 4))),
            };
        }

        return values;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(1027)]
    public void SumOfSquaredDifferences_MatchesFloat64Reference(int length)
    {
        var random = new Random(length);
        float[] after = [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] before = [.. after.Select(a => a - (float)(random.NextDouble() * 1e-3))];
        double expected = after.Zip(before, (a, b) => (double)(a - b) * (a - b)).Sum();
        double expectedSquares = after.Sum(a => (double)a * a);

        double actual = TensorStatisticsKernel.SumOfSquaredDifferences(after, before, out double squares);

        Math.Abs(actual - expected).Should().BeLessThanOrEqualTo(1e-12 * expected, "every float32 difference is squared and added in float64");
        Math.Abs(squares - expectedSquares).Should().BeLessThanOrEqualTo(1e-12 * expectedSquares);
    }

    [Fact]
    public void SumOfSquaredDifferences_NonFinite_SkipsSquares()
    {
        float[] after = [1, 2, float.PositiveInfinity, 4, 5, 6, 7, 8, float.NaN];
        float[] before = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        double differences = TensorStatisticsKernel.SumOfSquaredDifferences(after, before, out double squares);

        differences.Should().Be(double.NaN);
        squares.Should().Be(1 + 4 + 16 + 25 + 36 + 49 + 64, "NaN and Infinity are left out of the sum of squares, in the vector part and in the tail");
    }

    [Fact]
    public void SumOfSquaredDifferences_LengthMismatch_Throws()
    {
        Action call = () => TensorStatisticsKernel.SumOfSquaredDifferences(new float[3], new float[4], out _);

        call.Should().Throw<ArgumentException>().WithMessage("*3 and 4 elements*");
    }

    private readonly record struct Reference(double SumOfSquares, double Sum, double SumOfAbs, double MaxAbs, long NonFinite, long Zeros)
    {
        public static Reference Of(float[] values)
        {
            double sumOfSquares = 0, sum = 0, sumOfAbs = 0, maxAbs = 0;
            long nonFinite = 0, zeros = 0;
            foreach (float value in values)
            {
                if (float.IsNaN(value) || float.IsInfinity(value))
                {
                    nonFinite++;
                    continue;
                }

                zeros += value == 0 ? 1 : 0;
                double x = value;
                sumOfSquares += x * x;
                sum += x;
                sumOfAbs += Math.Abs(x);
                maxAbs = Math.Max(maxAbs, Math.Abs(x));
            }

            return new Reference(sumOfSquares, sum, sumOfAbs, maxAbs, nonFinite, zeros);
        }
    }
}
