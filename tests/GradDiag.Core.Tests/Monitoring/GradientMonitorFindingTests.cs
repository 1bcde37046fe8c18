using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class GradientMonitorFindingTests
{
    [Fact]
    public void Observe_FindingLifecycle_RaisesEvents()
    {
        var writer = new RecordingWriter();
        var events = new List<FindingEvent>();
        var callbacks = new List<FindingEvent>();
        var options = new GradDiagOptions { OnFinding = callbacks.Add };
        using var monitor = new GradientMonitor(options, [writer], [new ThresholdDetector(10)]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        monitor.FindingChanged += (sender, e) => events.Add(e);

        StepResult calm = monitor.Observe(1, 1, MonitorTestData.Gradients(1));
        StepResult high = monitor.Observe(2, 1, MonitorTestData.Gradients(100));
        monitor.Observe(3, 1, MonitorTestData.Gradients(1));

        calm.FindingOpened.Should().BeFalse();
        high.FindingOpened.Should().BeTrue();
        events.Select(e => (e.Kind, e.Step)).Should().Equal((FindingEventKind.Opened, 2L), (FindingEventKind.Closed, 3L));
        callbacks.Should().Equal(events);
        var texts = writer.Texts.Where(t => t.Tag == SummaryTags.Findings).ToList();
        texts.Select(t => t.Step).Should().Equal(2, 3);
        texts[0].Text.Should().Contain("threshold:global").And.Contain("opened");
        texts[1].Text.Should().Contain("closed");
    }

    [Fact]
    public void CreateReport_SeparatesObservations()
    {
        using var monitor = new GradientMonitor(detectors: [new ThresholdDetector(10, parameter: "fc2.weight")]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 42, MonitorTestData.Gradients(1));
        monitor.Observe(2, 1, MonitorTestData.Gradients(100));
        RunReport report = monitor.CreateReport("run-a");

        report.Findings.Should().ContainSingle().Which.Id.Should().Be("threshold:global");
        report.Findings[0].IsOpen.Should().BeTrue();
        report.Observations.Should().ContainSingle().Which.Kind.Should().Be(FindingKind.Spike);
        report.Verdict.Should().Be(Verdict.Failing);
        report.Layers[1].WorstSeverity.Should().Be(Severity.Error);
        report.Layers[0].WorstSeverity.Should().BeNull();
    }

    [Fact]
    public void CreateReport_SummarisesNormsPerParameter()
    {
        using var monitor = new GradientMonitor();
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        float[] scales = [1, 4, 2, 8, 3];
        for (int step = 0; step < scales.Length; step++)
        {
            monitor.Observe(step + 10, 1, MonitorTestData.Gradients(scales[step]));
        }

        Dictionary<string, float[]> broken = MonitorTestData.Gradients(1);
        broken["fc1.weight"][0] = float.NaN;
        monitor.Observe(20, 1, broken);
        RunReport report = monitor.CreateReport("run-b", interrupted: true);

        LayerSummary fc1 = report.Layers[0];
        fc1.Name.Should().Be("fc1.weight");
        fc1.Layer.Should().Be("fc1");
        fc1.Depth.Should().Be(0);
        fc1.Steps.Should().Be(6);
        fc1.FirstNorm.Should().Be(5);
        fc1.LastNorm.Should().Be(4);
        fc1.MinNorm.Should().Be(4);
        fc1.MaxNorm.Should().Be(40);
        fc1.MedianNorm.Should().BeInRange(10, 15);
        fc1.NonFiniteSteps.Should().Be(1);
        report.Layers[1].NonFiniteSteps.Should().Be(0);
        report.FirstStep.Should().Be(10);
        report.LastStep.Should().Be(20);
        report.StepsObserved.Should().Be(6);
        report.Interrupted.Should().BeTrue();
        report.Run.Should().Be("run-b");
        report.Verdict.Should().Be(Verdict.Healthy);
    }

    [Fact]
    public void CreateReport_NoSteps_HasNoStepRange()
    {
        using var monitor = new GradientMonitor();

        RunReport report = monitor.CreateReport("empty");

        report.FirstStep.Should().BeNull();
        report.LastStep.Should().BeNull();
        report.Layers.Should().BeEmpty();
    }

    [Fact]
    public void CreateReport_CompletesDetectors()
    {
        var detector = new ThresholdDetector(10);
        using var monitor = new GradientMonitor(detectors: [detector]);

        monitor.CreateReport("run");

        detector.Completed.Should().BeTrue();
    }

    [Fact]
    public void Observe_GuardOnNonFinite_RequestsSkip()
    {
        using var monitor = new GradientMonitor(new GradDiagOptions { SkipNonFiniteUpdates = true });
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        Dictionary<string, float[]> gradients = MonitorTestData.Gradients(1);
        gradients["fc1.weight"][1] = float.NaN;

        StepResult healthy = monitor.Observe(1, 1, MonitorTestData.Gradients(1));
        StepResult broken = monitor.Observe(2, 1, gradients);

        healthy.SkipRequested.Should().BeFalse();
        broken.SkipRequested.Should().BeTrue();
    }

    [Fact]
    public void Observe_GuardOff_IgnoresDetectorSkipRequest()
    {
        var detector = new ThresholdDetector(1) { RequestSkipWhenOpen = true };
        using var monitor = new GradientMonitor(detectors: [detector]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 1, MonitorTestData.Gradients(100)).SkipRequested.Should().BeFalse();
    }
}
