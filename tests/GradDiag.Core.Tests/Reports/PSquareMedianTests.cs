namespace GradDiag.Core.Tests.Reports;

public class PSquareMedianTests
{
    [Fact]
    public void Estimate_Empty_IsNaN()
    {
        new PSquareMedian().Estimate().Should().Be(double.NaN);
    }

    [Theory]
    [InlineData(new double[] { 5 }, 5)]
    [InlineData(new double[] { 3, 1 }, 2)]
    [InlineData(new double[] { 9, 1, 5 }, 5)]
    [InlineData(new double[] { 4, 1, 3, 2, 100 }, 3)]
    public void Estimate_FewValues_IsExact(double[] values, double median)
    {
        var estimator = new PSquareMedian();
        foreach (double value in values)
        {
            estimator.Add(value);
        }

        estimator.Estimate().Should().Be(median);
    }

    [Fact]
    public void Estimate_ShuffledRange_IsCloseToMedian()
    {
        var estimator = new PSquareMedian();
        var random = new Random(11);
        foreach (int value in Enumerable.Range(1, 2001).OrderBy(_ => random.Next()))
        {
            estimator.Add(value);
        }

        estimator.Estimate().Should().BeApproximately(1001, 40);
    }

    [Fact]
    public void Estimate_LogNormalNorms_IsCloseToMedian()
    {
        var estimator = new PSquareMedian();
        var random = new Random(5);
        var values = new List<double>();
        for (int i = 0; i < 5000; i++)
        {
            double value = Math.Exp(random.NextDouble() * 6);
            values.Add(value);
            estimator.Add(value);
        }

        values.Sort();
        double exact = values[2500];
        estimator.Estimate().Should().BeApproximately(exact, exact * 0.1);
    }
}
