using BenchmarkDotNet.Attributes;
using GradDiag.OrtBackend.Optimizers;

namespace GradDiag.Benchmarks.OrtBackend;

/// <summary>
/// Times one SGD update of a parameter the size of bench_mlp's 1024 x 1024 weight on one thread: the plain pass of
/// an unobserved step, and the observed pass that also measures the gradient, the new values and the update.
/// </summary>
/// <remarks>The difference between the two is what the monitor's statistics cost an ordinary step on the host path.</remarks>
[MinColumn]
public class HostOptimizerBenchmarks
{
    private const int Length = 1024 * 1024;
    private readonly HostOptimizer _optimizer = new(new OptimizerOptions { Kind = OptimizerKind.Sgd });
    private float[] _value = [];
    private float[] _gradient = [];
    private float[] _newValue = [];

    /// <summary>Fills the parameter with values near 0.03 and the gradient with values near 1e-4, every tenth one zero.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _value = [.. Enumerable.Range(0, Length).Select(_ => (float)((random.NextDouble() - 0.5) * 0.06))];
        _gradient = [.. Enumerable.Range(0, Length).Select(i => i % 10 == 0 ? 0f : (float)((random.NextDouble() - 0.5) * 2e-4))];
        _newValue = new float[Length];
    }

    /// <summary>The update alone.</summary>
    [Benchmark(Baseline = true)]
    public float Plain()
    {
        _optimizer.Update(_value, _gradient, [], _newValue, [], 0, Length, 0.01f, 1, 1f, observe: false, measureOldValues: false);
        return _newValue[1];
    }

    /// <summary>The update with the measurements of an observed step.</summary>
    [Benchmark]
    public double Observed() =>
        _optimizer.Update(_value, _gradient, [], _newValue, [], 0, Length, 0.01f, 1, 1f, observe: true, measureOldValues: false).UpdateSquares;
}
