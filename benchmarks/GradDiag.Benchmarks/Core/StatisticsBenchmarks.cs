using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace GradDiag.Benchmarks.Core;

/// <summary>
/// Compares the one-pass gradient statistics kernel with two vectorised sums over the same buffer:
/// TensorPrimitives.Sum, an unrolled library sum with several accumulators, and a plain loop of 512-bit adds
/// into one accumulator. The Ratio column is relative to TensorPrimitives.Sum.
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

    /// <summary>Sums the buffer with a plain vector loop: one 512-bit accumulator (256-bit without AVX-512), then the tail.</summary>
    [Benchmark]
    public float PlainVectorLoopSum()
    {
        ReadOnlySpan<float> values = _values;
        int i = 0;
        float sum;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> total = Vector512<float>.Zero;
            for (; i <= values.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                total += Vector512.Create(values.Slice(i, Vector512<float>.Count));
            }

            sum = Vector512.Sum(total);
        }
        else
        {
            Vector256<float> total = Vector256<float>.Zero;
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                total += Vector256.Create(values.Slice(i, Vector256<float>.Count));
            }

            sum = Vector256.Sum(total);
        }

        for (; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }

    /// <summary>Computes sum of squares, sum, max |g|, non-finite and zero counts in one pass.</summary>
    [Benchmark]
    public double OnePassStatistics() => TensorStatisticsKernel.Compute(_values).SumOfSquares;
}
