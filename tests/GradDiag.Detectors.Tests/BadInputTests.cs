namespace GradDiag.Detectors.Tests;

public class BadInputTests
{
    [Fact]
    public void Observe_SingleStep_OpensOnlyFrozen()
    {
        var steps = new Steps(layers: 3, trainable: i => i != 0);
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();

        foreach (IGradientDetector detector in detectors)
        {
            steps.Observe(detector, 0, i => i == 1 ? ParameterStatistics.FromNorm(1e-12) : ParameterStatistics.FromNorm(0));
        }

        TraceRunner.Findings(detectors).Select(f => f.Id).Should().Equal("frozen:fc0");
    }

    [Fact]
    public void Observe_EmptyParameterSet_DoesNothing()
    {
        var statistics = new StepStatistics(ParameterSet.Empty);
        var context = new RecordingContext();
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();

        for (int step = 0; step < 100; step++)
        {
            statistics.Reset(step);
            statistics.Loss = 1;
            foreach (IGradientDetector detector in detectors)
            {
                detector.Observe(statistics, context);
            }
        }

        context.Events.Should().BeEmpty();
    }

    [Fact]
    public void Observe_RepeatedAndOlderSteps_AreIgnored()
    {
        var steps = new Steps(layers: 2);
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();
        foreach (IGradientDetector detector in detectors)
        {
            for (int step = 0; step < 30; step++)
            {
                steps.Observe(detector, step, 0.5);
            }

            steps.Observe(detector, 29, double.NaN);
            steps.Observe(detector, 3, double.PositiveInfinity);
        }

        TraceRunner.Findings(detectors).Should().BeEmpty();
        steps.Context.SkipRequests.Should().BeEmpty();
    }

    [Fact]
    public void Observe_NullArguments_Throw()
    {
        IGradientDetector detector = DefaultDetectors.Create()[1];
        var statistics = new StepStatistics(ParameterSet.Empty);

        Action nullStatistics = () => detector.Observe(null!, new RecordingContext());
        Action nullContext = () => detector.Observe(statistics, null!);

        nullStatistics.Should().Throw<ArgumentNullException>().WithParameterName("statistics");
        nullContext.Should().Throw<ArgumentNullException>().WithParameterName("context");
    }

    [Fact]
    public void Observe_UnknownStatisticsEverywhere_OpensNothing()
    {
        var steps = new Steps(layers: 4);
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();

        foreach (IGradientDetector detector in detectors)
        {
            for (int step = 0; step < 100; step++)
            {
                steps.Observe(detector, step, _ => ParameterStatistics.Unknown);
            }
        }

        TraceRunner.Findings(detectors).Should().BeEmpty();
    }

    [Fact]
    public void Observe_InfiniteNorms_ExplodeAndAreNonFinite()
    {
        var steps = new Steps(layers: 1);
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();

        foreach (IGradientDetector detector in detectors)
        {
            for (int step = 0; step < 60; step++)
            {
                steps.Observe(detector, step, step < 20 ? 1.0 : double.PositiveInfinity);
            }
        }

        List<Finding> findings = TraceRunner.Findings(detectors);
        findings.Should().Contain(f => f.Id == "non-finite:fc0" && f.FirstStep == 20);
        findings.Should().Contain(f => f.Id == "exploding:fc0");
    }

    [Fact]
    public void Observe_ParameterSetChanges_ClosesOpenFindings()
    {
        var first = new Steps(layers: 1);
        var second = new Steps(layers: 2);
        IGradientDetector detector = DefaultDetectors.Create()[0];
        first.Observe(detector, 0, double.NaN);

        second.Statistics.Reset(1);
        second.Statistics.Set(0, ParameterStatistics.FromNorm(0.5));
        second.Statistics.Set(1, ParameterStatistics.FromNorm(0.5));
        detector.Observe(second.Statistics, first.Context);

        detector.Findings.Should().OnlyContain(f => f.ClosedAtStep == 1);
        first.Context.Events.Count(e => e.Kind == FindingEventKind.Closed).Should().Be(detector.Findings.Count);
    }
}
