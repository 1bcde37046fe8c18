namespace GradDiag.Detectors.Tests.UpdateRatio;

public class UpdateRatioDetectorTests
{
    private static UpdateRatioDetector CreateSut() => new(new UpdateRatioDetectorOptions());

    [Fact]
    public void Observe_TinyUpdatesAtPeakRate_OpensLow()
    {
        var steps = new Steps(layers: 1);
        UpdateRatioDetector sut = CreateSut();

        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, _ => TraceGenerator.Stats(0.5, 10, 1e-6, 0.1), learningRate: 1e-3);
        }

        Finding finding = sut.Findings.Single();
        finding.Id.Should().Be("update-ratio:fc0:low");
        finding.Severity.Should().Be(Severity.Warning);
        finding.Evidence.Values["latest"].Should().BeApproximately(1e-7, 1e-15);

        // The crossed bound follows the latest ratio, so short displays show the right limit.
        finding.Evidence.Values.Keys.Take(3).Should().Equal("latest", "low_ratio", "high_ratio");
    }

    [Fact]
    public void Observe_DecayedLearningRate_SuppressesLow()
    {
        var steps = new Steps(layers: 1);
        UpdateRatioDetector sut = CreateSut();
        steps.Observe(sut, 0, _ => TraceGenerator.Stats(0.5, 10, 1e-2, 0.1), learningRate: 1e-2);

        for (int step = 1; step < 80; step++)
        {
            steps.Observe(sut, step, _ => TraceGenerator.Stats(0.5, 10, 1e-6, 0.1), learningRate: 1e-5);
        }

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_OfflineNormsOnly_StaysSilent()
    {
        var steps = new Steps(layers: 2);
        UpdateRatioDetector sut = CreateSut();

        for (int step = 0; step < 80; step++)
        {
            steps.Observe(sut, step, 0.5);
        }

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_SkippedUpdates_AreNotObserved()
    {
        var steps = new Steps(layers: 1);
        UpdateRatioDetector sut = CreateSut();

        for (int step = 0; step < 80; step++)
        {
            steps.Statistics.Reset(step);
            steps.Statistics.UpdateSkipped = true;
            steps.Statistics.Set(0, TraceGenerator.Stats(0.5, 10, 5, 0.1));
            sut.Observe(steps.Statistics, steps.Context);
        }

        sut.Findings.Should().BeEmpty();
    }
}
