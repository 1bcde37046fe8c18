using BenchmarkDotNet.Attributes;
using GradDiag.Detectors;
using GradDiag.Detectors.Reporting;

namespace GradDiag.Benchmarks.Detectors;

/// <summary>
/// Measures an offline report over 1,000,000 scalar records (10 layers x 100,000 steps of gradient norms, as
/// read back from an event file): every default detector observes every step, then the report is built and
/// written as JSON and Markdown.
/// </summary>
[MemoryDiagnoser]
public class OfflineReportBenchmarks
{
    private const int LayerCount = 10;
    private const int StepCount = 100_000;

    private StepStatistics[] _steps = [];

    /// <summary>Precomputes 64 distinct offline steps that the run cycles through.</summary>
    [GlobalSetup]
    public void Setup()
    {
        ParameterSet parameters = DetectorTraffic.Parameters(LayerCount);
        double[] noise = DetectorTraffic.Noise();
        _steps = new StepStatistics[64];
        for (int i = 0; i < _steps.Length; i++)
        {
            _steps[i] = new StepStatistics(parameters);
            DetectorTraffic.FillOffline(_steps[i], i, noise);
        }
    }

    /// <summary>Runs the detectors over one million records and formats the report; returns the output length.</summary>
    [Benchmark]
    public int DetectAndReport()
    {
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();
        var context = new NullDetectorContext();
        for (long step = 0; step < StepCount; step++)
        {
            StepStatistics statistics = _steps[step & 63];
            statistics.Step = step;
            foreach (IGradientDetector detector in detectors)
            {
                detector.Observe(statistics, context);
            }
        }

        foreach (IGradientDetector detector in detectors)
        {
            detector.Complete(context);
        }

        var report = new RunReport
        {
            Run = "benchmark",
            FirstStep = 0,
            LastStep = StepCount - 1,
            StepsObserved = StepCount,
            Findings = detectors.SelectMany(d => d.Findings).OrderBy(f => f.FirstStep).ToList(),
            Observations = context.Observations,
        };
        return JsonReportFormatter.Format(report).Length + MarkdownReportFormatter.Format(report).Length;
    }
}
