using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class GradientMonitorStepOrderTests
{
    [Fact]
    public void Observe_StepGoesBack_SkippedAndCounted()
    {
        var detector = new ThresholdDetector(double.MaxValue);
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var monitor = new GradientMonitor(detectors: [detector], loggerFactory: loggerFactory);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(5, 1, MonitorTestData.Gradients(1));
        StepResult back = monitor.Observe(3, 1, MonitorTestData.Gradients(1));
        StepResult same = monitor.Observe(5, 1, MonitorTestData.Gradients(1));
        monitor.Observe(6, 1, MonitorTestData.Gradients(1));

        back.Observed.Should().BeFalse();
        same.Observed.Should().BeFalse();
        monitor.RejectedSteps.Should().Be(2);
        detector.Steps.Should().Equal(5, 6);
        logs.Entries.Where(e => e.EventId.Name == "StepNotIncreasing").Should().HaveCount(2);
    }

    [Fact]
    public void Observe_NegativeStep_Throws()
    {
        using var monitor = new GradientMonitor();

        Action observe = () => monitor.Observe(-1, 1, MonitorTestData.Gradients(1));

        observe.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("step");
    }

    [Fact]
    public void Observe_OfflineNegativeStep_Throws()
    {
        using var monitor = new GradientMonitor();
        var statistics = new StepStatistics(MonitorTestData.TwoLayers());
        statistics.Step = -4;

        Action observe = () => monitor.Observe(statistics);

        observe.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*statistics.Step*");
    }

    [Fact]
    public void Observe_StepGaps_AreAccepted()
    {
        var detector = new ThresholdDetector(double.MaxValue);
        using var monitor = new GradientMonitor(detectors: [detector]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 1, MonitorTestData.Gradients(1));
        monitor.Observe(100, 1, MonitorTestData.Gradients(1));

        detector.Steps.Should().Equal(1, 100);
        monitor.StepsObserved.Should().Be(2);
    }

    [Fact]
    public void Observe_AfterDispose_Throws()
    {
        var monitor = new GradientMonitor();
        monitor.Dispose();

        Action observe = () => monitor.Observe(1, 1, MonitorTestData.Gradients(1));

        observe.Should().Throw<ObjectDisposedException>();
    }
}
