namespace GradDiag.Core.Tests.Histograms;

public class MagnitudeHistogramTests
{
    [Fact]
    public void Create_HasSixtyFixedBins()
    {
        HistogramData histogram = MagnitudeHistogram.Create();

        MagnitudeHistogram.Fill([], histogram);

        histogram.BucketCount.Should().Be(60);
        histogram.BucketLimits[0].Should().Be(-19.5);
        histogram.BucketLimits[59].Should().Be(10);
    }

    [Fact]
    public void Fill_Values_LandInLog10Bins()
    {
        HistogramData histogram = MagnitudeHistogram.Create();

        long zeros = MagnitudeHistogram.Fill([1e-3f, -1e-3f, 20f, 0f, -0f, float.NaN], histogram);

        zeros.Should().Be(2);
        histogram.NonFiniteCount.Should().Be(1);
        histogram.Count.Should().Be(3);

        // log10(1e-3) = -3 falls in [-3, -2.5), whose right edge is -2.5; log10(20) = 1.3 in [1, 1.5).
        BinCount(histogram, -2.5).Should().Be(2);
        BinCount(histogram, 1.5).Should().Be(1);
        histogram.Min.Should().BeApproximately(-3, 1e-6);
        histogram.Max.Should().BeApproximately(Math.Log10(20), 1e-6);
    }

    [Fact]
    public void Fill_Outliers_ClampIntoEdgeBins()
    {
        HistogramData histogram = MagnitudeHistogram.Create();

        MagnitudeHistogram.Fill([1e-30f, float.Epsilon, 1e20f, float.MaxValue], histogram);

        BinCount(histogram, -19.5).Should().Be(2);
        BinCount(histogram, 10).Should().Be(2);
        histogram.Min.Should().Be(-20);
        histogram.Max.Should().Be(10);
    }

    [Fact]
    public void Fill_ShrinkingValues_MoveMassLeft()
    {
        HistogramData early = MagnitudeHistogram.Create();
        HistogramData late = MagnitudeHistogram.Create();

        MagnitudeHistogram.Fill(Enumerable.Repeat(1e-2f, 100).ToArray(), early);
        MagnitudeHistogram.Fill(Enumerable.Repeat(1e-9f, 100).ToArray(), late);

        (late.Sum / late.Count).Should().BeLessThan(early.Sum / early.Count);
    }

    private static double BinCount(HistogramData histogram, double rightEdge) =>
        histogram.BucketCounts[Array.IndexOf(histogram.BucketLimits, rightEdge)];
}
