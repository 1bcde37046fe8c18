namespace GradDiag.Core.Tests.Statistics;

public class TensorStatisticsKernelTests
{
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
        actual.SumOfSquares.Should().BeApproximately(expected.SumOfSquares, 1e-12 * Math.Max(expected.SumOfSquares, 1e-300));
        actual.Sum.Should().BeApproximately(expected.Sum, 1e-12 * Math.Max(expected.SumOfAbs, 1e-300));
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
        vector.SumOfSquares.Should().BeApproximately(scalar.SumOfSquares, 1e-12 * Math.Max(scalar.SumOfSquares, 1e-300));
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
        vector.SumOfSquares.Should().BeApproximately(scalar.SumOfSquares, 1e-12 * Math.Max(scalar.SumOfSquares, 1e-300));
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
            actual.SumOfSquares.Should().BeApproximately(expected.SumOfSquares, 1e-12 * expected.SumOfSquares);
            actual.Sum.Should().BeApproximately(expected.Sum, 1e-12 * expected.SumOfAbs);
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
