namespace GradDiag.Detectors.Tests.Frozen;

public class FrozenDetectorTests
{
    [Fact]
    public void Observe_NonTrainableLayer_OpensInformationOnce()
    {
        var steps = new Steps(layers: 3, trainable: i => i != 0);
        var sut = new FrozenDetector(new FrozenDetectorOptions());

        for (int step = 0; step < 10; step++)
        {
            steps.Observe(sut, step, i => ParameterStatistics.FromNorm(i == 0 ? 0 : 0.5));
        }

        sut.Complete(steps.Context);
        Finding finding = sut.Findings.Single();
        finding.Kind.Should().Be(FindingKind.Frozen);
        finding.Severity.Should().Be(Severity.Information);
        finding.FirstStep.Should().Be(0);
        finding.LastStep.Should().Be(9);
        finding.Message.Should().Contain("Layer 'fc0' is frozen");
        steps.EventsOf(FindingEventKind.Opened).Should().ContainSingle();
    }

    [Fact]
    public void Observe_FrozenWithGradient_SaysItIsComputed()
    {
        var steps = new Steps(layers: 1, trainable: _ => false);
        var sut = new FrozenDetector(new FrozenDetectorOptions());

        steps.Observe(sut, 0, 0.25);

        sut.Findings.Single().Message.Should().Contain("still computed (norm 0.25)");
    }
}
