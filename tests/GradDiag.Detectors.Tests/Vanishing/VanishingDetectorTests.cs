namespace GradDiag.Detectors.Tests.Vanishing;

public class VanishingDetectorTests
{
    private static VanishingDetector CreateSut(Action<VanishingDetectorOptions>? configure = null)
    {
        var options = new VanishingDetectorOptions();
        configure?.Invoke(options);
        return new VanishingDetector(options);
    }

    [Fact]
    public void Observe_BelowFloor_OpensError()
    {
        var steps = new Steps(layers: 1);
        VanishingDetector sut = CreateSut();

        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, 1e-10);
        }

        Finding finding = sut.Findings.Single();
        finding.Severity.Should().Be(Severity.Error);
        finding.FirstStep.Should().Be(0);
        finding.Message.Should().Contain("below the floor 1e-08");
        finding.Evidence.Values["floor_steps"].Should().Be(40);
        finding.Remedy.Should().Contain("He or Xavier");
    }

    [Fact]
    public void Observe_InputSideFarSmaller_OpensDepthFinding()
    {
        var steps = new Steps(layers: 4);
        VanishingDetector sut = CreateSut();

        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, i => ParameterStatistics.FromNorm(i == 0 ? 1e-6 : 0.5));
        }

        Finding finding = sut.Findings.Single();
        finding.Id.Should().Be("vanishing:fc0");
        finding.Message.Should().Contain("2e-06 times those of the output-side layer 'fc2'");
        finding.Evidence.Values["depth_ratio"].Should().BeApproximately(2e-6, 1e-12);
    }

    [Fact]
    public void Observe_ConvergingLossFalling_StaysSilent()
    {
        var steps = new Steps(layers: 3);
        VanishingDetector sut = CreateSut();

        for (int step = 0; step < 300; step++)
        {
            double norm = Math.Pow(10, -step / 40.0);
            steps.Observe(sut, step, norm, loss: 2 * Math.Exp(-step / 30.0));
        }

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_DecayWithFlatLoss_OpensWarning()
    {
        var steps = new Steps(layers: 3);
        VanishingDetector sut = CreateSut();

        for (int step = 0; step < 120; step++)
        {
            steps.Observe(sut, step, Math.Pow(10, -step / 40.0), loss: 2.3);
        }

        sut.Findings.Should().HaveCount(3);
        sut.Findings.Should().OnlyContain(f => f.Severity == Severity.Warning && f.Message.Contains("decays steadily", StringComparison.Ordinal));
    }

    [Fact]
    public void Observe_HealthyUpdateRatio_SuppressesRules()
    {
        var steps = new Steps(layers: 1);
        VanishingDetector sut = CreateSut();

        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, _ => TraceGenerator.Stats(1e-10, 1, 1e-3, 0.1));
        }

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_UnknownRatios_DoNotTrigger()
    {
        var steps = new Steps(layers: 2);
        VanishingDetector sut = CreateSut();

        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, _ => ParameterStatistics.FromNorm(0.5) with { GradientToParameterRatio = double.NaN, UpdateToParameterRatio = double.NaN });
        }

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_FrozenZeroLayer_IsNotVanishing()
    {
        var steps = new Steps(layers: 3, trainable: i => i != 0);
        VanishingDetector sut = CreateSut();

        for (int step = 0; step < 60; step++)
        {
            steps.Observe(sut, step, i => ParameterStatistics.FromNorm(i == 0 ? 0 : 0.5));
        }

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_WithGaps_UsesObservedSteps()
    {
        var steps = new Steps(layers: 1);
        VanishingDetector sut = CreateSut();

        for (int step = 0; step < 60 * 10; step += 10)
        {
            steps.Observe(sut, step, 1e-10);
        }

        sut.Findings.Single().FirstStep.Should().Be(0);
        sut.Findings.Single().LastStep.Should().Be(390);
    }
}
