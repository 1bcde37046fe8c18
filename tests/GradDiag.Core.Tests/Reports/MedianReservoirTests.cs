namespace GradDiag.Core.Tests.Reports;

public class MedianReservoirTests
{
    [Fact]
    public void Estimate_Empty_IsNaN()
    {
        new MedianReservoir(1).Estimate().Should().Be(double.NaN);
    }

    [Theory]
    [InlineData(new double[] { 5 }, 5)]
    [InlineData(new double[] { 3, 1 }, 2)]
    [InlineData(new double[] { 9, 1, 5 }, 5)]
    [InlineData(new double[] { 4, 1, 3, 2, 100 }, 3)]
    public void Estimate_FewValues_IsExact(double[] values, double median)
    {
        var reservoir = new MedianReservoir(1);
        foreach (double value in values)
        {
            reservoir.Add(value);
        }

        reservoir.Estimate().Should().Be(median);
    }

    [Fact]
    public void Estimate_UpToCapacity_IsExact()
    {
        var reservoir = new MedianReservoir(2);
        var random = new Random(3);
        foreach (int value in Enumerable.Range(1, MedianReservoir.Capacity - 1).OrderBy(_ => random.Next()))
        {
            reservoir.Add(value);
        }

        reservoir.Estimate().Should().Be(MedianReservoir.Capacity / 2);
    }

    [Fact]
    public void Estimate_LongShuffledRange_IsCloseToMedian()
    {
        var reservoir = new MedianReservoir(4);
        var random = new Random(11);
        foreach (int value in Enumerable.Range(1, 20001).OrderBy(_ => random.Next()))
        {
            reservoir.Add(value);
        }

        // A 256-value sample puts the median within about ±3 % of the rank range at one standard error.
        reservoir.Estimate().Should().BeApproximately(10001, 2000);
        reservoir.Count.Should().Be(20001);
    }

    [Fact]
    public void Estimate_TrendingStream_SamplesWholeRun()
    {
        var reservoir = new MedianReservoir(5);
        for (int i = 0; i < 10000; i++)
        {
            reservoir.Add(i);
        }

        reservoir.Estimate().Should().BeInRange(4000, 6000);
    }
}
