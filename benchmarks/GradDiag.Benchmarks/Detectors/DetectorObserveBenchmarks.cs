using BenchmarkDotNet.Attributes;
using GradDiag.Detectors;

namespace GradDiag.Benchmarks.Detectors;

/// <summary>
/// Measures the cost of one training step in the detectors: one <c>Observe</c> call per detector on a live step
/// where every statistic is known and no finding changes. Divide the mean by <see cref="Layers"/> for the cost
/// per step per layer.
/// </summary>
[MemoryDiagnoser]
public class DetectorObserveBenchmarks
{
    private const int StepsPerInvoke = 1000;

    private IGradientDetector[] _detectors = [];
    private StepStatistics[] _steps = [];
    private NullDetectorContext _context = new();
    private long _step;

    /// <summary>Gets or sets the number of layers (one weight parameter each).</summary>
    [Params(6, 64)]
    public int Layers { get; set; }

    /// <summary>Gets or sets which detector runs: <c>all</c> for the six defaults, or one detector's name.</summary>
    [Params("all", "non-finite", "exploding", "vanishing", "dead-layer", "update-ratio")]
    public string Detector { get; set; } = "all";

    /// <summary>Creates the detectors and precomputes distinct steps, then runs 2,000 steps so every window is full.</summary>
    [GlobalSetup]
    public void Setup()
    {
        IReadOnlyList<IGradientDetector> all = DefaultDetectors.Create();
        _detectors = Detector == "all" ? [.. all] : [.. all.Where(d => d.Name == Detector)];
        ParameterSet parameters = DetectorTraffic.Parameters(Layers);
        double[] noise = DetectorTraffic.Noise();
        _steps = new StepStatistics[64];
        for (int i = 0; i < _steps.Length; i++)
        {
            _steps[i] = new StepStatistics(parameters);
            DetectorTraffic.FillLive(_steps[i], i, noise);
        }

        _context = new NullDetectorContext();
        for (int i = 0; i < 2000; i++)
        {
            ObserveNext();
        }
    }

    /// <summary>Observes 1,000 consecutive steps; the reported time is per step.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    public void ObserveStep()
    {
        for (int i = 0; i < StepsPerInvoke; i++)
        {
            ObserveNext();
        }
    }

    private void ObserveNext()
    {
        StepStatistics statistics = _steps[_step & 63];
        statistics.Step = _step++;
        foreach (IGradientDetector detector in _detectors)
        {
            detector.Observe(statistics, _context);
        }
    }
}
