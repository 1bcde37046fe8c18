using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace GradDiag.Benchmarks.Core;

/// <summary>
/// Compares the one-pass gradient statistics kernel with a plain vectorised sum over the same buffer, so the
/// Ratio column gives the kernel's throughput relative to a memory-bound reduction.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class StatisticsBenchmarks
{
    private float[] _values = [];

    /// <summary>Gets or sets the buffer size in bytes: 4 KB (L1), 256 KB (L2), 4 MB (L3) and 64 MB (memory).</summary>
    [Params(4 * 1024, 256 * 1024, 4 * 1024 * 1024, 64 * 1024 * 1024)]
    public int Bytes { get; set; }

    /// <summary>Fills the buffer with gradient-like values.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _values = new float[Bytes / sizeof(float)];
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i] = (float)((random.NextDouble() - 0.5) * 1e-3);
        }
    }

    /// <summary>Sums the buffer with TensorPrimitives, the baseline.</summary>
    [Benchmark(Baseline = true)]
    public float PlainSum() => TensorPrimitives.Sum(_values);

    /// <summary>Computes sum of squares, sum, max |g|, non-finite and zero counts in one pass.</summary>
    [Benchmark]
    public double OnePassStatistics() => TensorStatisticsKernel.Compute(_values).SumOfSquares;
}
