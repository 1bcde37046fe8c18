namespace GradDiag.Detectors.Tests.NonFinite;

public class NonFiniteDetectorTests
{
    private static NonFiniteDetector CreateSut(Action<NonFiniteDetectorOptions>? configure = null)
    {
        var options = new NonFiniteDetectorOptions();
        configure?.Invoke(options);
        return new NonFiniteDetector(options);
    }

    [Fact]
    public void Observe_NaNGradient_OpensCriticalAtFirstStep()
    {
        var steps = new Steps();
        NonFiniteDetector sut = CreateSut();
        steps.Observe(sut, 1, 0.5);

        steps.Observe(sut, 2, i => i == 1 ? ParameterStatistics.Unknown with { L2Norm = 0.5, NonFiniteCount = 4 } : ParameterStatistics.FromNorm(0.5));

        FindingEvent opened = steps.EventsOf(FindingEventKind.Opened).Single();
        opened.Step.Should().Be(2);
        opened.Finding.Severity.Should().Be(Severity.Critical);
        opened.Finding.Kind.Should().Be(FindingKind.NonFinite);
        opened.Finding.Id.Should().Be("non-finite:fc1");
        opened.Finding.Parameters.Should().Equal("fc1.weight");
        opened.Finding.Message.Should().Contain("step 2").And.Contain("fc1.weight (4 NaN/Inf gradient elements)");
        opened.Finding.Remedy.Should().Contain("loss scaling");
    }

    [Fact]
    public void Observe_NonFinite_RequestsSkipEveryBadStep()
    {
        var steps = new Steps();
        NonFiniteDetector sut = CreateSut();

        steps.Observe(sut, 1, double.NaN);
        steps.Observe(sut, 2, double.PositiveInfinity);
        steps.Observe(sut, 3, 0.5);

        steps.Context.SkipRequests.Select(r => r.Step).Should().Equal(1, 2);
    }

    [Fact]
    public void Observe_SkipOptionOff_RequestsNothing()
    {
        var steps = new Steps();
        NonFiniteDetector sut = CreateSut(o => o.RequestSkipUpdate = false);

        steps.Observe(sut, 1, double.NaN);

        steps.Context.SkipRequests.Should().BeEmpty();
        sut.Findings.Should().HaveCount(3);
    }

    [Fact]
    public void Observe_RecoveryRun_ClosesFinding()
    {
        var steps = new Steps(layers: 1);
        NonFiniteDetector sut = CreateSut(o => o.RecoverySteps = 5);
        steps.Observe(sut, 1, double.NaN);

        for (int step = 2; step <= 6; step++)
        {
            steps.Observe(sut, step, 0.5);
        }

        FindingEvent closed = steps.EventsOf(FindingEventKind.Closed).Single();
        closed.Step.Should().Be(6);
        closed.Finding.LastStep.Should().Be(1);
        sut.Findings.Single().ClosedAtStep.Should().Be(6);
    }

    [Fact]
    public void Observe_UnknownStatistics_AreNotNonFinite()
    {
        var steps = new Steps();
        NonFiniteDetector sut = CreateSut();

        steps.Observe(sut, 1, _ => ParameterStatistics.Unknown);

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_SparseNaNLoss_IsUnknown()
    {
        var steps = new Steps();
        NonFiniteDetector sut = CreateSut();

        steps.Observe(sut, 1, 0.5, loss: 2.0);
        steps.Observe(sut, 2, 0.5, loss: double.NaN);
        steps.Observe(sut, 3, 0.5, loss: double.NaN);

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_NaNLossAfterDenseLoss_Opens()
    {
        var steps = new Steps();
        NonFiniteDetector sut = CreateSut();
        for (int step = 1; step <= 3; step++)
        {
            steps.Observe(sut, step, 0.5, loss: 2.0);
        }

        steps.Observe(sut, 4, 0.5, loss: double.NaN);

        sut.Findings.Single().Id.Should().Be("non-finite:loss");
        sut.Findings.Single().FirstStep.Should().Be(4);
    }

    [Fact]
    public void Observe_InfiniteUpdateNorm_Opens()
    {
        var steps = new Steps(layers: 1);
        NonFiniteDetector sut = CreateSut();

        steps.Observe(sut, 1, _ => TraceGenerator.Stats(0.5, 3, double.PositiveInfinity, 0.1));

        sut.Findings.Single().Message.Should().Contain("update norm Infinity");
    }

    [Fact]
    public void Observe_SkippedStepIgnored_OpensNothing()
    {
        var steps = new Steps();
        NonFiniteDetector sut = CreateSut(o => o.IgnoreSkippedSteps = true);

        steps.Statistics.Reset(1);
        steps.Statistics.UpdateSkipped = true;
        steps.Statistics.Set(0, ParameterStatistics.FromNorm(double.NaN));
        sut.Observe(steps.Statistics, steps.Context);

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_RepeatedStep_IsIgnored()
    {
        var steps = new Steps();
        NonFiniteDetector sut = CreateSut();
        steps.Observe(sut, 5, 0.5);

        steps.Observe(sut, 5, double.NaN);
        steps.Observe(sut, 4, double.NaN);

        sut.Findings.Should().BeEmpty();
    }
}
