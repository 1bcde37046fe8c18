namespace GradDiag.Detectors.Tests.DeadLayer;

public class DeadLayerDetectorTests
{
    private static DeadLayerDetector CreateSut(Action<DeadLayerDetectorOptions>? configure = null)
    {
        var options = new DeadLayerDetectorOptions();
        configure?.Invoke(options);
        return new DeadLayerDetector(options);
    }

    [Fact]
    public void Observe_ZeroFromFirstStep_SaysDisconnected()
    {
        var steps = new Steps(layers: 2);
        DeadLayerDetector sut = CreateSut();

        for (int step = 0; step < 30; step++)
        {
            steps.Observe(sut, step, i => ParameterStatistics.FromNorm(i == 1 ? 0 : 0.5));
        }

        Finding finding = sut.Findings.Single();
        finding.Id.Should().Be("dead-layer:fc1");
        finding.Severity.Should().Be(Severity.Error);
        finding.Message.Should().Contain("since its first observed step");
    }

    [Fact]
    public void Observe_MostlyZeroElements_OpensWarning()
    {
        var steps = new Steps(layers: 1);
        DeadLayerDetector sut = CreateSut();

        for (int step = 0; step < 30; step++)
        {
            steps.Observe(sut, step, _ => TraceGenerator.Stats(0.01, 3, 3e-3, 0.995));
        }

        Finding finding = sut.Findings.Single();
        finding.Severity.Should().Be(Severity.Warning);
        finding.Evidence.Values["latest_zero_fraction"].Should().BeApproximately(0.995, 1e-12);
    }

    [Fact]
    public void Observe_FrozenZeroLayer_IsNotDead()
    {
        var steps = new Steps(layers: 2, trainable: i => i != 1);
        DeadLayerDetector sut = CreateSut();

        for (int step = 0; step < 30; step++)
        {
            steps.Observe(sut, step, i => ParameterStatistics.FromNorm(i == 1 ? 0 : 0.5));
        }

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_EmbeddingLayer_IsIgnored()
    {
        var parameters = new ParameterSet([new ParameterDescriptor("token_embedding.weight", [100, 8], 0)]);
        var statistics = new StepStatistics(parameters);
        var context = new RecordingContext();
        DeadLayerDetector sut = CreateSut();

        for (int step = 0; step < 30; step++)
        {
            statistics.Reset(step);
            statistics.Set(0, TraceGenerator.Stats(0.2, 3, 3e-3, 0.999));
            sut.Observe(statistics, context);
        }

        sut.Findings.Should().BeEmpty();
    }

    [Fact]
    public void Observe_AllNaNGradients_IsNotDead()
    {
        // A gradient made only of NaN has a finite-element norm of 0; that is the non-finite detector's case.
        var steps = new Steps(layers: 1);
        DeadLayerDetector sut = CreateSut();
        var allNaN = ParameterStatistics.Unknown with { L2Norm = 0, Rms = 0, MaxAbs = 0, ZeroFraction = 0, NonFiniteCount = 64 };

        for (int step = 0; step < 30; step++)
        {
            steps.Observe(sut, step, _ => allNaN);
        }

        sut.Findings.Should().BeEmpty();
    }
}
