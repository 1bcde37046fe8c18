using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class GradientMonitorTrainStepTests
{
    [Fact]
    public void TrainStep_HealthyStep_AppliesUpdate()
    {
        var backend = new FakeBackend(4, 2);
        var detector = new ThresholdDetector(double.MaxValue);
        var writer = new RecordingWriter();
        using var monitor = new GradientMonitor(writers: [writer], detectors: [detector], backend: backend);

        StepResult result = monitor.TrainStep(new TrainingBatch());

        result.Step.Should().Be(0);
        result.Loss.Should().Be(1);
        result.GlobalNorm.Should().BeApproximately(Math.Sqrt(6), 1e-12);
        result.UpdateSkipped.Should().BeFalse();
        backend.Updates.Should().Be(1);
        backend.Weight(0, 0).Should().BeApproximately(0.9f, 1e-6f);
        detector.UpdateNorms[0].Should().BeApproximately(0.2, 1e-6);
        writer.ScalarValues("update_ratio/layer0.weight").Single().Should().BeApproximately(0.1, 1e-6);
        writer.ScalarValues("learning_rate").Should().Equal(0.1);
    }

    [Fact]
    public void TrainStep_HistogramSteps_CaptureHostValues()
    {
        var backend = new FakeBackend(4);
        using var monitor = new GradientMonitor(new GradDiagOptions { HistogramInterval = 5 }, backend: backend);

        for (int i = 0; i < 11; i++)
        {
            monitor.TrainStep(new TrainingBatch());
        }

        backend.HostCaptures.Should().Be(3);
        monitor.StepsObserved.Should().Be(11);
    }

    [Fact]
    public void TrainStep_StatisticsInterval_TrainsEveryStep()
    {
        var backend = new FakeBackend(4);
        using var monitor = new GradientMonitor(new GradDiagOptions { StatisticsInterval = 4, HistogramInterval = 0 }, backend: backend);

        var observed = new List<bool>();
        var counts = new List<long>();
        for (int i = 0; i < 8; i++)
        {
            StepResult result = monitor.TrainStep(new TrainingBatch());
            observed.Add(result.Observed);
            counts.Add(result.NonFiniteCount);
        }

        backend.Updates.Should().Be(8);
        observed.Should().Equal(true, false, false, false, true, false, false, false);
        counts.Should().Equal(0, -1, -1, -1, 0, -1, -1, -1);
    }

    [Fact]
    public void TrainStep_GuardOnNaN_SkipsUpdate()
    {
        var backend = new FakeBackend(4) { GradientValue = step => step == 1 ? float.NaN : 1f };
        using var monitor = new GradientMonitor(new GradDiagOptions { SkipNonFiniteUpdates = true }, backend: backend);

        StepResult before = monitor.TrainStep(new TrainingBatch());
        StepResult broken = monitor.TrainStep(new TrainingBatch());
        StepResult after = monitor.TrainStep(new TrainingBatch());

        broken.UpdateSkipped.Should().BeTrue();
        broken.NonFiniteCount.Should().Be(backend.Parameters.Sum(p => p.ElementCount), "every gradient element of that step is NaN");
        before.NonFiniteCount.Should().Be(0);
        after.NonFiniteCount.Should().Be(0);
        backend.Skips.Should().Be(1);
        backend.Updates.Should().Be(2);
        float.IsFinite(backend.Weight(0, 0)).Should().BeTrue();
    }

    [Fact]
    public void TrainStep_GuardOff_AppliesNaNUpdate()
    {
        var backend = new FakeBackend(4) { GradientValue = _ => float.NaN };
        using var monitor = new GradientMonitor(backend: backend);

        StepResult result = monitor.TrainStep(new TrainingBatch());

        result.UpdateSkipped.Should().BeFalse();
        backend.Updates.Should().Be(1);
    }

    [Fact]
    public void TrainStep_DetectorRequestsSkip_SkipsUpdate()
    {
        var backend = new FakeBackend(4) { GradientValue = step => step == 2 ? 1000f : 1f };
        var detector = new ThresholdDetector(100) { RequestSkipWhenOpen = true };
        using var monitor = new GradientMonitor(new GradDiagOptions { SkipNonFiniteUpdates = true }, detectors: [detector], backend: backend);

        var skipped = new List<bool>();
        for (int i = 0; i < 4; i++)
        {
            skipped.Add(monitor.TrainStep(new TrainingBatch()).UpdateSkipped);
        }

        skipped.Should().Equal(false, false, true, false);
    }

    [Fact]
    public void TrainStep_WithoutBackend_Throws()
    {
        using var monitor = new GradientMonitor();

        Action train = () => monitor.TrainStep(new TrainingBatch());

        train.Should().Throw<InvalidOperationException>().WithMessage("*no training backend*");
    }

    [Fact]
    public async Task DisposeAsync_DisposesWritersAndBackend()
    {
        var backend = new FakeBackend(4);
        var writer = new RecordingWriter();
        var monitor = new GradientMonitor(writers: [writer], backend: backend);

        await monitor.DisposeAsync();
        await monitor.DisposeAsync();

        backend.Disposed.Should().BeTrue();
        writer.FlushCount.Should().Be(1);
        writer.DisposeCount.Should().Be(1);
    }
}
