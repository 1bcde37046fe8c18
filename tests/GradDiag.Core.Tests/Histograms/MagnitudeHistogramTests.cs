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

    [Fact]
    public void Bin_MatchesLog10_AwayFromEdges()
    {
        var random = new Random(5);
        for (int i = 0; i < 20_000; i++)
        {
            float magnitude = (float)Math.Pow(10, (random.NextDouble() * 40) - 25);
            double log10 = Math.Log10(magnitude);
            double position = (log10 - MagnitudeHistogram.MinLog10) / MagnitudeHistogram.BinWidth;
            if (Math.Abs(position - Math.Round(position)) < 1e-6 || magnitude == 0)
            {
                continue;
            }

            int expected = Math.Clamp((int)Math.Floor(position), 0, MagnitudeHistogram.BinCount - 1);
            MagnitudeHistogram.Bin(magnitude).Should().Be(expected, "magnitude {0:R}", magnitude);
        }
    }

    [Fact]
    public void Bin_AtEdges_ComparesWithTheEdgeValue()
    {
        for (int i = 1; i < MagnitudeHistogram.BinCount; i++)
        {
            double edge = Math.Pow(10, MagnitudeHistogram.MinLog10 + (i * MagnitudeHistogram.BinWidth));
            float nearest = (float)edge;
            float below = nearest >= edge ? MathF.BitDecrement(nearest) : nearest;
            float above = nearest >= edge ? nearest : MathF.BitIncrement(nearest);

            MagnitudeHistogram.Bin(below).Should().Be(i - 1, "the float below edge {0}", i);
            MagnitudeHistogram.Bin(above).Should().Be(i, "the float at or above edge {0}", i);
            MagnitudeHistogram.Bin(-above).Should().Be(i, "the sign is ignored");
        }
    }

    [Fact]
    public void Fill_ManyValues_MatchesFloat64Reference()
    {
        float[] values = Statistics.TensorStatisticsKernelTests.MixedValues(5000, seed: 9);
        HistogramData histogram = MagnitudeHistogram.Create();

        long zeros = MagnitudeHistogram.Fill(values, histogram);

        double[] logs = values.Where(v => float.IsFinite(v) && v != 0)
            .Select(v => Math.Clamp(Math.Log10(Math.Abs((double)v)), MagnitudeHistogram.MinLog10, MagnitudeHistogram.MaxLog10))
            .ToArray();
        zeros.Should().Be(values.Count(v => v == 0));
        histogram.Count.Should().Be(logs.Length);
        histogram.BucketCounts[..histogram.BucketCount].Sum().Should().Be(logs.Length);
        histogram.Min.Should().BeApproximately(logs.Min(), 1e-5);
        histogram.Max.Should().BeApproximately(logs.Max(), 1e-5);
        histogram.Sum.Should().BeApproximately(logs.Sum(), Math.Abs(logs.Sum()) * 1e-6);
        histogram.SumOfSquares.Should().BeApproximately(logs.Sum(v => v * v), logs.Sum(v => v * v) * 1e-6);
    }

    private static double BinCount(HistogramData histogram, double rightEdge) =>
        histogram.BucketCounts[Array.IndexOf(histogram.BucketLimits, rightEdge)];
}
