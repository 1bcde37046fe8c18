using BenchmarkDotNet.Attributes;

namespace GradDiag.Benchmarks.Core;

/// <summary>
/// Times the two histograms the monitor fills on a histogram step, over one gradient the size of bench_mlp's
/// 1024 x 1024 weight, next to the statistics kernel over the same buffer.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class HistogramBenchmarks
{
    private readonly HistogramData _exponential = ExponentialHistogram.Create();
    private readonly HistogramData _magnitude = MagnitudeHistogram.Create();
    private float[] _values = [];

    /// <summary>Fills the buffer with gradient-like values spread over several orders of magnitude, with some zeros.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _values = new float[1024 * 1024];
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i] = i % 10 == 0 ? 0f : (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, -1)));
        }
    }

    /// <summary>The one-pass statistics of an ordinary step, for scale.</summary>
    [Benchmark(Baseline = true)]
    public double Statistics() => TensorStatisticsKernel.Compute(_values).SumOfSquares;

    /// <summary>TensorBoard's exponential buckets with float64 moments.</summary>
    [Benchmark]
    public double Exponential()
    {
        ExponentialHistogram.Fill(_values, _exponential);
        return _exponential.Sum;
    }

    /// <summary>The log10 |g| magnitude histogram.</summary>
    [Benchmark]
    public double Magnitude()
    {
        MagnitudeHistogram.Fill(_values, _magnitude);
        return _magnitude.Sum;
    }
}
