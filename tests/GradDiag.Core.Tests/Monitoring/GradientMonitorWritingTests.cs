using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class GradientMonitorWritingTests
{
    [Fact]
    public void Observe_DefaultSeries_WritesCheapTags()
    {
        var writer = new RecordingWriter();
        using var monitor = new GradientMonitor(writers: [writer]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 0.5, MonitorTestData.Gradients(1), learningRate: 0.1);

        writer.ScalarValues("loss").Should().Equal(0.5);
        writer.ScalarValues("learning_rate").Should().Equal(0.1);
        writer.ScalarValues("grad_norm/fc1.weight").Should().Equal(5);
        writer.ScalarValues("grad_norm_global").Should().ContainSingle();
        writer.Scalars.Should().NotContain(s => s.Tag.StartsWith("grad_max_abs/", StringComparison.Ordinal));
        writer.Scalars.Should().NotContain(s => s.Tag.StartsWith("grad_nonfinite/", StringComparison.Ordinal));
    }

    [Fact]
    public void Observe_AllSeries_WritesEveryTag()
    {
        var writer = new RecordingWriter();
        using var monitor = new GradientMonitor(new GradDiagOptions { ScalarSeries = ScalarSeries.All }, writers: [writer]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        Dictionary<string, float[]> gradients = MonitorTestData.Gradients(1);
        gradients["fc2.weight"][0] = float.PositiveInfinity;

        monitor.Observe(1, 0.5, gradients, MonitorTestData.Weights());

        writer.ScalarValues("grad_max_abs/fc1.weight").Should().Equal(4);
        writer.ScalarValues("grad_zero_fraction/fc1.weight").Should().Equal(0.5);
        writer.ScalarValues("grad_param_ratio/fc1.weight").Should().Equal(2.5);
        writer.ScalarValues("grad_nonfinite/fc2.weight").Should().Equal(1);
        writer.ScalarValues("grad_nonfinite/fc1.weight").Should().BeEmpty();
    }

    [Fact]
    public void Observe_FirstStep_WritesParameterTableOnce()
    {
        var writer = new RecordingWriter();
        using var monitor = new GradientMonitor(writers: [writer]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 0.5, MonitorTestData.Gradients(1));
        monitor.Observe(2, 0.5, MonitorTestData.Gradients(1));

        var tables = writer.Texts.Where(t => t.Tag == SummaryTags.Parameters).ToList();
        tables.Should().ContainSingle();
        tables[0].Step.Should().Be(1);
        tables[0].Text.Should().Contain("| fc1.weight | fc1 | 0 | [2, 2] | true |");
        tables[0].Text.Should().Contain("| fc2.weight | fc2 | 1 | [3] | true |");
    }

    [Fact]
    public void Observe_SamplingIntervals_ChooseSteps()
    {
        var writer = new RecordingWriter();
        var detector = new ThresholdDetector(double.MaxValue);
        var options = new GradDiagOptions { StatisticsInterval = 2, HistogramInterval = 3 };
        using var monitor = new GradientMonitor(options, [writer], [detector]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        for (int step = 0; step <= 6; step++)
        {
            monitor.Observe(step, 1, MonitorTestData.Gradients(1));
        }

        detector.Steps.Should().Equal(0, 2, 3, 4, 6);
        writer.Histograms.Where(h => h.Tag == "grad_hist/fc1.weight").Select(h => h.Step).Should().Equal(0, 3, 6);
        writer.Histograms.Where(h => h.Tag == "grad_log10_hist/fc2.weight").Select(h => h.Step).Should().Equal(0, 3, 6);
    }

    [Fact]
    public void Observe_HistogramStep_SetsStatisticsHistograms()
    {
        var detector = new HistogramDetector();
        using var monitor = new GradientMonitor(new GradDiagOptions { HistogramInterval = 2 }, detectors: [detector]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 1, MonitorTestData.Gradients(1));
        monitor.Observe(2, 1, MonitorTestData.Gradients(1));

        detector.HistogramCounts.Should().HaveCount(2);
        detector.HistogramCounts[0].Should().BeNull();
        detector.HistogramCounts[1].Should().Equal(4, 3);
    }

    [Fact]
    public void Observe_HistogramsOff_WritesNone()
    {
        var writer = new RecordingWriter();
        using var monitor = new GradientMonitor(new GradDiagOptions { HistogramInterval = 0 }, [writer]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(0, 1, MonitorTestData.Gradients(1));

        writer.Histograms.Should().BeEmpty();
    }

    [Fact]
    public void Observe_HistogramOfGradient_HasExactMoments()
    {
        var writer = new RecordingWriter();
        using var monitor = new GradientMonitor(writers: [writer]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(0, 1, MonitorTestData.Gradients(1));

        var histogram = writer.Histograms.Single(h => h.Tag == "grad_hist/fc1.weight");
        histogram.Count.Should().Be(4);
        histogram.Counts.Sum().Should().Be(4);
    }

    private sealed class HistogramDetector : IGradientDetector
    {
        public string Name => "histograms";

        public List<double[]?> HistogramCounts { get; } = [];

        public IReadOnlyList<Finding> Findings => [];

        public void Observe(StepStatistics statistics, IDetectorContext context) =>
            HistogramCounts.Add(statistics.Histograms?.Select(h => h!.Count).ToArray());

        public void Complete(IDetectorContext context)
        {
        }

        public void Reset()
        {
        }
    }
}
