namespace GradDiag.Core.Tests.Histograms;

public class ExponentialHistogramTests
{
    [Fact]
    public void Limits_FollowTensorFlowLayout()
    {
        ReadOnlySpan<double> limits = ExponentialHistogram.Limits;

        limits.Length.Should().Be(1551);
        limits[0].Should().Be(-double.MaxValue);
        limits[775].Should().Be(0);
        limits[776].Should().Be(1e-12);
        limits[1549].Should().Be(9.920775621859783e19);
        limits[1550].Should().Be(double.MaxValue);
        limits[1].Should().Be(-9.920775621859783e19);
    }

    [Fact]
    public void Limits_AreStrictlyIncreasing()
    {
        double[] limits = ExponentialHistogram.Limits.ToArray();

        limits.Zip(limits.Skip(1)).Should().OnlyContain(pair => pair.First < pair.Second);
    }

    [Fact]
    public void Fill_OneTwoThree_MatchesTensorFlowEntries()
    {
        HistogramData histogram = ExponentialHistogram.Create();

        ExponentialHistogram.Fill([1f, 2f, 3f], histogram);

        histogram.Min.Should().Be(1);
        histogram.Max.Should().Be(3);
        histogram.Count.Should().Be(3);
        histogram.Sum.Should().Be(6);
        histogram.SumOfSquares.Should().Be(14);
        histogram.BucketCount.Should().Be(7);
        histogram.BucketLimits[..7].Should().Equal(
            0.917246389039776, 1.0089710279437536, 1.9661990955585713, 2.1628190051144287,
            2.8787120958073054, 3.1665833053880363, 1.7976931348623157e308);
        histogram.BucketCounts[..7].Should().Equal(0, 1, 0, 1, 0, 1, 0);
    }

    [Fact]
    public void Fill_Empty_HasOneEmptyEntry()
    {
        HistogramData histogram = ExponentialHistogram.Create();

        ExponentialHistogram.Fill([], histogram);

        histogram.BucketCount.Should().Be(1);
        histogram.BucketLimits[0].Should().Be(double.MaxValue);
        histogram.BucketCounts[0].Should().Be(0);
        histogram.Min.Should().Be(double.MaxValue);
        histogram.Max.Should().Be(-double.MaxValue);
        histogram.Count.Should().Be(0);
    }

    [Fact]
    public void Fill_NonFinite_CountedOutsideBuckets()
    {
        HistogramData histogram = ExponentialHistogram.Create();

        ExponentialHistogram.Fill([float.NaN, 1f, float.PositiveInfinity, float.NegativeInfinity], histogram);

        histogram.NonFiniteCount.Should().Be(3);
        histogram.Count.Should().Be(1);
        histogram.BucketCounts[..histogram.BucketCount].Sum().Should().Be(1);
        histogram.Max.Should().Be(1);
    }

    [Fact]
    public void Fill_TinyValues_LandAroundZero()
    {
        HistogramData histogram = ExponentialHistogram.Create();

        ExponentialHistogram.Fill([0f, -1e-13f, 1e-13f], histogram);

        // Bucket [-1e-12, 0) contains -1e-13, and bucket [0, 1e-12) contains 0 and 1e-13.
        Dictionary<double, double> counts = Entries(histogram);
        counts[0].Should().Be(1);
        counts[1e-12].Should().Be(2);
    }

    [Fact]
    public void BucketIndex_MatchesLinearSearch()
    {
        var random = new Random(7);
        var probes = new List<float> { 0f, -0f, 1e-12f, -1e-12f, 9.920775e19f, -9.920775e19f, 1e30f, -1e30f, float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon };
        foreach (double limit in ExponentialHistogram.Limits[1..^1])
        {
            // The floats on both sides of every limit, and the limit's nearest float.
            float nearest = (float)limit;
            probes.AddRange([nearest, MathF.BitDecrement(nearest), MathF.BitIncrement(nearest)]);
        }

        for (int i = 0; i < 20_000; i++)
        {
            probes.Add((float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-15, 25))));
        }

        foreach (float value in probes)
        {
            ExponentialHistogram.BucketIndex(value).Should().Be(LinearSearch(value), "value {0:R}", value);
        }
    }

    [Fact]
    public void BucketIndex_CellBoundaries_MatchLinearSearch()
    {
        // The bucket lookup reads a table indexed by the exponent and top 5 mantissa bits. A wrong table entry
        // would show at a cell's first float or at the float before it.
        for (uint bits = 1u << 18; bits < 0x7F80_0000; bits += 1u << 18)
        {
            float start = BitConverter.UInt32BitsToSingle(bits);
            float before = BitConverter.UInt32BitsToSingle(bits - 1);
            foreach (float value in new[] { start, before, -start, -before })
            {
                ExponentialHistogram.BucketIndex(value).Should().Be(LinearSearch(value), "value {0:R}", value);
            }
        }
    }

    [Fact]
    public void Fill_RandomValues_MatchesLinearSearchCounts()
    {
        float[] values = Statistics.TensorStatisticsKernelTests.MixedValues(20_000, seed: 11);
        HistogramData histogram = ExponentialHistogram.Create();

        ExponentialHistogram.Fill(values, histogram);

        double[] expected = new double[ExponentialHistogram.BucketCapacity];
        foreach (float value in values.Where(float.IsFinite))
        {
            expected[LinearSearch(value)]++;
        }

        Dictionary<double, double> entries = Entries(histogram);
        double[] limits = ExponentialHistogram.Limits.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] > 0)
            {
                entries[limits[i]].Should().Be(expected[i], "bucket {0} with limit {1:R}", i, limits[i]);
            }
        }

        double[] finite = values.Where(float.IsFinite).Select(v => (double)v).ToArray();
        double sumOfAbs = finite.Sum(Math.Abs);
        double sumOfSquares = finite.Sum(v => v * v);
        histogram.Sum.Should().BeApproximately(finite.Sum(), sumOfAbs * 1e-12);
        histogram.SumOfSquares.Should().BeApproximately(sumOfSquares, sumOfSquares * 1e-12);
        histogram.Min.Should().Be(finite.Min());
        histogram.Max.Should().Be(finite.Max());
    }

    [Fact]
    public void Fill_ManyValues_CountsAddUp()
    {
        float[] values = Statistics.TensorStatisticsKernelTests.MixedValues(5000, seed: 3);
        HistogramData histogram = ExponentialHistogram.Create();

        ExponentialHistogram.Fill(values, histogram);

        long finite = values.Count(float.IsFinite);
        histogram.Count.Should().Be(finite);
        histogram.BucketCounts[..histogram.BucketCount].Sum().Should().Be(finite);
        histogram.NonFiniteCount.Should().Be(values.Length - finite);
    }

    [Fact]
    public void Fill_SmallArrays_Throws()
    {
        var histogram = new HistogramData(new double[10], new double[10]);

        Action fill = () => ExponentialHistogram.Fill([1f], histogram);

        fill.Should().Throw<ArgumentException>().WithParameterName("histogram").WithMessage("*1551*");
    }

    private static int LinearSearch(double value)
    {
        ReadOnlySpan<double> limits = ExponentialHistogram.Limits;
        for (int i = 0; i < limits.Length; i++)
        {
            if (limits[i] > value)
            {
                return i;
            }
        }

        return limits.Length;
    }

    private static Dictionary<double, double> Entries(HistogramData histogram) =>
        Enumerable.Range(0, histogram.BucketCount).ToDictionary(i => histogram.BucketLimits[i], i => histogram.BucketCounts[i]);
}
