using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class GradientMonitorIsolationTests
{
    [Fact]
    public void Observe_WriterThrows_OthersContinue()
    {
        var throwing = new ThrowingWriter();
        var recording = new RecordingWriter();
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var monitor = new GradientMonitor(writers: [throwing, recording], loggerFactory: loggerFactory);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 1, MonitorTestData.Gradients(1));
        monitor.Observe(2, 1, MonitorTestData.Gradients(1));

        recording.ScalarSteps("loss").Should().Equal(1, 2);
        monitor.DisabledComponents.Should().Be(1);
        int callsAfterFirstStep = throwing.Calls;
        callsAfterFirstStep.Should().Be(2, "the parameter table and the first scalar reached it before it was disabled");
        var failures = logs.Entries.Where(e => e.EventId.Name == "WriterFailed").ToList();
        failures.Should().ContainSingle();
        failures[0].Message.Should().Contain("'throwing'");
        failures[0].Exception.Should().BeOfType<IOException>();
    }

    [Fact]
    public void Observe_DetectorThrows_OthersContinue()
    {
        var throwing = new ThrowingDetector();
        var threshold = new ThresholdDetector(double.MaxValue);
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var monitor = new GradientMonitor(detectors: [throwing, threshold], loggerFactory: loggerFactory);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 1, MonitorTestData.Gradients(1));
        monitor.Observe(2, 1, MonitorTestData.Gradients(1));

        threshold.Steps.Should().Equal(1, 2);
        throwing.Calls.Should().Be(1);
        logs.Entries.Where(e => e.EventId.Name == "DetectorFailed").Should().ContainSingle()
            .Which.Message.Should().Contain("'throwing'");
    }

    [Fact]
    public void Observe_FailFastWriter_Throws()
    {
        using var monitor = new GradientMonitor(new GradDiagOptions { FailFast = true }, writers: [new ThrowingWriter()]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        Action observe = () => monitor.Observe(1, 1, MonitorTestData.Gradients(1));

        observe.Should().Throw<IOException>();
    }

    [Fact]
    public void Observe_FailFastDetector_Throws()
    {
        using var monitor = new GradientMonitor(new GradDiagOptions { FailFast = true }, detectors: [new ThrowingDetector()]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        Action observe = () => monitor.Observe(1, 1, MonitorTestData.Gradients(1));

        observe.Should().Throw<InvalidOperationException>().WithMessage("detector bug");
    }

    [Fact]
    public void Observe_HandlerThrows_IsLogged()
    {
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var monitor = new GradientMonitor(detectors: [new ThresholdDetector(1)], loggerFactory: loggerFactory);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        monitor.FindingChanged += (_, _) => throw new InvalidOperationException("handler bug");

        StepResult result = monitor.Observe(1, 1, MonitorTestData.Gradients(1));

        result.FindingsOpened.Should().Be(1);
        logs.Entries.Should().ContainSingle(e => e.EventId.Name == "FindingHandlerFailed");
    }

    [Fact]
    public void Observe_WriterFault_LoggedOnce()
    {
        var writer = new RecordingWriter { Fault = new IOException("queue full") };
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var monitor = new GradientMonitor(writers: [writer], loggerFactory: loggerFactory);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 1, MonitorTestData.Gradients(1));
        monitor.Observe(2, 1, MonitorTestData.Gradients(1));

        logs.Entries.Should().ContainSingle(e => e.EventId.Name == "WriterFaulted");
    }

    [Fact]
    public void Constructor_DuplicateDetectorNames_Throws()
    {
        Action create = () => _ = new GradientMonitor(detectors: [new ThresholdDetector(1, "same"), new ThresholdDetector(2, "same")]);

        create.Should().Throw<ArgumentException>().WithMessage("*'same'*unique*");
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingOption()
    {
        Action create = () => _ = new GradientMonitor(new GradDiagOptions { StatisticsInterval = 0 });

        create.Should().Throw<ArgumentException>().WithMessage("*GradDiag:StatisticsInterval*0*");
    }
}
