namespace GradDiag.Detectors.Tests.Exploding;

public class ExplodingDetectorTests
{
    private static ExplodingDetector CreateSut(Action<ExplodingDetectorOptions>? configure = null)
    {
        var options = new ExplodingDetectorOptions();
        configure?.Invoke(options);
        return new ExplodingDetector(options);
    }

    [Fact]
    public void Observe_SingleSpike_IsObservationNotFinding()
    {
        var steps = new Steps();
        ExplodingDetector sut = CreateSut();

        for (int step = 0; step < 100; step++)
        {
            steps.Observe(sut, step, step == 50 ? 25.0 : 1.0);
        }

        sut.Findings.Should().BeEmpty();
        Finding spike = steps.EventsOf(FindingEventKind.Observed).Single().Finding;
        spike.Kind.Should().Be(FindingKind.Spike);
        spike.Severity.Should().Be(Severity.Information);
        spike.FirstStep.Should().Be(50);
        spike.Layers.Should().Equal("fc0", "fc1", "fc2");
        spike.Evidence.Values["ratio"].Should().BeApproximately(25, 1e-6);
    }

    [Fact]
    public void Observe_SustainedJump_OpensWithEvidence()
    {
        var steps = new Steps(layers: 1);
        ExplodingDetector sut = CreateSut(o => o.WatchGlobalNorm = false);

        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, step < 30 ? 1.0 : 50.0);
        }

        Finding finding = sut.Findings.Single();
        finding.Kind.Should().Be(FindingKind.Exploding);
        finding.Severity.Should().Be(Severity.Error);
        finding.FirstStep.Should().Be(30);
        finding.IsOpen.Should().BeTrue();
        finding.Evidence.Values["baseline"].Should().BeApproximately(1, 1e-9);
        finding.Evidence.Values["threshold"].Should().BeApproximately(10, 1e-9);
        finding.Evidence.Window.Should().HaveCount(20);
        finding.Message.Should().Contain("50x its baseline 1");
        finding.Remedy.Should().Contain("clip gradients by global norm");
    }

    [Fact]
    public void Observe_Recovery_ClosesFinding()
    {
        var steps = new Steps(layers: 1);
        ExplodingDetector sut = CreateSut(o => o.WatchGlobalNorm = false);

        for (int step = 0; step < 100; step++)
        {
            steps.Observe(sut, step, step is >= 30 and < 60 ? 50.0 : 1.0);
        }

        Finding finding = sut.Findings.Single();
        finding.IsOpen.Should().BeFalse();
        finding.ClosedAtStep.Should().Be(70);
        finding.LastStep.Should().Be(59);
        steps.EventsOf(FindingEventKind.Closed).Single().Step.Should().Be(70);
    }

    [Fact]
    public void Observe_Reopen_GetsNewId()
    {
        var steps = new Steps(layers: 1);
        ExplodingDetector sut = CreateSut(o => o.WatchGlobalNorm = false);

        for (int step = 0; step < 200; step++)
        {
            steps.Observe(sut, step, step is (>= 30 and < 60) or (>= 120 and < 150) ? 50.0 : 1.0);
        }

        sut.Findings.Select(f => f.Id).Should().Equal("exploding:fc0", "exploding:fc0#2");
    }

    [Fact]
    public void Observe_AbsoluteCeiling_CountsAsElevated()
    {
        var steps = new Steps(layers: 1);
        ExplodingDetector sut = CreateSut(o =>
        {
            o.AbsoluteCeiling = 2;
            o.WatchGlobalNorm = false;
        });

        for (int step = 0; step < 40; step++)
        {
            steps.Observe(sut, step, step < 10 ? 1.0 : 3.0);
        }

        sut.Findings.Should().ContainSingle();
    }

    [Fact]
    public void Observe_OfflineGlobalNorm_IsComputedFromLayers()
    {
        var steps = new Steps(layers: 4);
        ExplodingDetector sut = CreateSut();

        for (int step = 0; step < 40; step++)
        {
            steps.Observe(sut, step, i => ParameterStatistics.FromNorm(i == 0 && step >= 10 ? 100.0 : 1.0));
        }

        sut.Findings.Select(f => f.Id).Should().BeEquivalentTo("exploding:fc0", "exploding:global");
        sut.Findings.Single(f => f.Id == "exploding:global").Evidence.Values["baseline"].Should().BeApproximately(2, 1e-9);
    }

    [Fact]
    public void Observe_SingleStep_OpensNothing()
    {
        var steps = new Steps();
        ExplodingDetector sut = CreateSut();

        steps.Observe(sut, 0, 1e30);

        sut.Findings.Should().BeEmpty();
        steps.Context.Events.Should().BeEmpty();
    }

    [Fact]
    public void Observe_SteadyState_DoesNotAllocate()
    {
        var steps = new Steps(layers: 8);
        ExplodingDetector sut = CreateSut();
        for (int step = 0; step < 100; step++)
        {
            steps.Observe(sut, step, 1.0 + (0.01 * (step % 7)));
        }

        steps.Statistics.Reset(100);
        for (int i = 0; i < steps.Parameters.Count; i++)
        {
            steps.Statistics.Set(i, ParameterStatistics.FromNorm(1.02));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 100; step < 200; step++)
        {
            steps.Statistics.Step = step;
            sut.Observe(steps.Statistics, steps.Context);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.Should().Be(0);
    }

    [Fact]
    public void Complete_OpenFinding_PublishesLastStep()
    {
        var steps = new Steps(layers: 1);
        ExplodingDetector sut = CreateSut(o => o.WatchGlobalNorm = false);
        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, step < 30 ? 1.0 : 50.0);
        }

        sut.Complete(steps.Context);

        sut.Findings.Single().LastStep.Should().Be(59);
        sut.Findings.Single().IsOpen.Should().BeTrue();
    }

    [Fact]
    public void Reset_AfterFinding_ForgetsEverything()
    {
        var steps = new Steps(layers: 1);
        ExplodingDetector sut = CreateSut(o => o.WatchGlobalNorm = false);
        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, step < 30 ? 1.0 : 50.0);
        }

        sut.Reset();
        steps.Observe(sut, 0, 1.0);

        sut.Findings.Should().BeEmpty();
    }
}
