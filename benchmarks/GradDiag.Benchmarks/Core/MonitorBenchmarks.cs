using BenchmarkDotNet.Attributes;

namespace GradDiag.Benchmarks.Core;

/// <summary>
/// Measures the monitor's cost per step for 100 parameters whose statistics the backend computed on its
/// device: the steady state must allocate nothing.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class MonitorBenchmarks : IDisposable
{
    private const int ParameterCount = 100;

    private GradientMonitor _bare = null!;
    private GradientMonitor _withWriter = null!;
    private GradientSnapshot _snapshot = null!;
    private long _step;

    /// <summary>Creates the monitors and a snapshot with device statistics for every parameter.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parameters = new ParameterSet(Enumerable.Range(0, ParameterCount)
            .Select(i => new ParameterDescriptor($"layer{i}.weight", [256, 256], i)));
        _snapshot = new GradientSnapshot(parameters);
        for (int i = 0; i < ParameterCount; i++)
        {
            _snapshot.SetDeviceStatistics(i, new TensorStatistics(256 * 256, 2.5, 0.1, 0.3, 0, 17), 100);
            _snapshot.SetUpdateSumOfSquares(i, 0.01);
        }

        _snapshot.Loss = 1;
        _snapshot.LearningRate = 0.01;
        _bare = new GradientMonitor();
        _withWriter = new GradientMonitor(writers: [new DiscardingWriter()]);
    }

    /// <summary>Disposes the monitors.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the monitors when <paramref name="disposing"/> is true.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _bare?.Dispose();
            _withWriter?.Dispose();
        }
    }

    /// <summary>Observes one step with no writers or detectors.</summary>
    [Benchmark(Baseline = true)]
    public double ObserveWithoutWriters()
    {
        _snapshot.Step = ++_step;
        return _bare.Observe(_snapshot).GlobalNorm;
    }

    /// <summary>Observes one step and writes the default scalar series to a writer that drops them.</summary>
    [Benchmark]
    public double ObserveWithNoOpWriter()
    {
        _snapshot.Step = ++_step;
        return _withWriter.Observe(_snapshot).GlobalNorm;
    }

    private sealed class DiscardingWriter : ISummaryWriter
    {
        public string Name => "discarding";

        public Exception? Fault => null;

        public void WriteScalar(string tag, long step, double value)
        {
        }

        public void WriteHistogram(string tag, long step, HistogramData histogram)
        {
        }

        public void WriteText(string tag, long step, string text)
        {
        }

        public void WriteHyperparameters(IReadOnlyDictionary<string, object> hyperparameters)
        {
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
