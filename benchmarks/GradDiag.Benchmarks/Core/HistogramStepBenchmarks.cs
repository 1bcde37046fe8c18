using BenchmarkDotNet.Attributes;

namespace GradDiag.Benchmarks.Core;

/// <summary>
/// Times one histogram step of the monitor over host gradients and parameters shaped like bench_mlp's
/// (784-1024-1024-10, 1.86 million elements), on the caller's thread only and on one thread per processor.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class HistogramStepBenchmarks : IDisposable
{
    private GradientMonitor _monitor = null!;
    private GradientSnapshot _snapshot = null!;
    private long _step;

    /// <summary>Gets or sets <see cref="GradDiagOptions.HistogramThreads"/>: 1 is the caller only, 0 one thread per processor.</summary>
    [Params(1, 0)]
    public int HistogramThreads { get; set; }

    /// <summary>Creates the monitor and a snapshot with gradient-like values spread over several orders of magnitude.</summary>
    [GlobalSetup]
    public void Setup()
    {
        long[][] shapes = [[1024, 784], [1024], [1024, 1024], [1024], [10, 1024], [10]];
        string[] names = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"];
        var parameters = new ParameterSet(shapes.Select((shape, i) => new ParameterDescriptor(names[i], [.. shape], i)));
        _snapshot = new GradientSnapshot(parameters);
        var random = new Random(42);
        for (int i = 0; i < shapes.Length; i++)
        {
            var gradient = new float[parameters[i].ElementCount];
            var values = new float[gradient.Length];
            for (int k = 0; k < gradient.Length; k++)
            {
                gradient[k] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, -1)));
                values[k] = (float)(random.NextDouble() - 0.5);
            }

            _snapshot.SetGradient(i, gradient);
            _snapshot.SetParameterValues(i, values);
        }

        _monitor = new GradientMonitor(new GradDiagOptions { HistogramInterval = 1, HistogramThreads = HistogramThreads });
    }

    /// <summary>Disposes the monitor.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the monitor when <paramref name="disposing"/> is true.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _monitor?.Dispose();
        }
    }

    /// <summary>Observes one histogram step: statistics of every gradient and parameter, and both histograms of every gradient.</summary>
    [Benchmark]
    public double HistogramStep()
    {
        _snapshot.Step = ++_step;
        return _monitor.Observe(_snapshot).GlobalNorm;
    }
}
