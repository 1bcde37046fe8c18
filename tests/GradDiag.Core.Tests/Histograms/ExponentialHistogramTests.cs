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
        double[] limits = ExponentialHistogram.Limits.ToArray();
        var random = new Random(7);
        var probes = new List<double> { 0, -0.0, 1e-12, -1e-12, 9.920775621859783e19, -9.920775621859783e19, 1e30, -1e30, float.MaxValue, -float.MaxValue };
        probes.AddRange(limits.Skip(1).Take(limits.Length - 2));
        for (int i = 0; i < 2000; i++)
        {
            probes.Add((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-15, 25)));
        }

        foreach (double value in probes)
        {
            int expected = Array.FindIndex(limits, limit => limit > value);
            ExponentialHistogram.BucketIndex(value).Should().Be(expected, "value {0:R}", value);
        }
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

    private static Dictionary<double, double> Entries(HistogramData histogram) =>
        Enumerable.Range(0, histogram.BucketCount).ToDictionary(i => histogram.BucketLimits[i], i => histogram.BucketCounts[i]);
}
