using GradDiag.Detectors;
using GradDiag.Writers;
using Microsoft.Extensions.DependencyInjection;

namespace GradDiag.Cli.Tests;

/// <summary>Runs the code examples of README.md, so that they keep compiling and behave as the README states.</summary>
public sealed class ReadmeExampleTests : IDisposable
{
    private readonly string _logDirectory = Path.Combine(Path.GetTempPath(), "graddiag-readme-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_logDirectory))
        {
            Directory.Delete(_logDirectory, recursive: true);
        }
    }

    [Fact]
    public void CustomLoop_HealthyGradients_ReportHealthy()
    {
        RunReport report = RunCustomLoop(step => 0.5f * (1 + 0.05f * MathF.Sin(step)));

        report.Verdict.Should().Be(Verdict.Healthy);
        report.StepsObserved.Should().Be(200);
        report.Findings.Should().BeEmpty();
    }

    [Fact]
    public void CustomLoop_GeometricGrowth_ReportsExploding()
    {
        RunReport report = RunCustomLoop(step => step < 60 ? 0.5f : 0.5f * MathF.Pow(1.15f, step - 60));

        report.Verdict.Should().Be(Verdict.Failing);
        report.Findings.Should().Contain(f => f.Kind == FindingKind.Exploding);
    }

    [Fact]
    public void CustomLoop_NaNGradient_RequestsSkip()
    {
        using var monitor = new GradientMonitor(new GradDiagOptions { SkipNonFiniteUpdates = true }, detectors: DefaultDetectors.Create());
        float[] gradient = Enumerable.Repeat(0.1f, 16).ToArray();
        monitor.Observe(0, 1.0, new Dictionary<string, float[]> { ["fc1.weight"] = gradient });

        gradient[3] = float.NaN;
        StepResult result = monitor.Observe(1, 1.0, new Dictionary<string, float[]> { ["fc1.weight"] = gradient });

        result.SkipRequested.Should().BeTrue();
        monitor.CreateReport("nan").Findings.Should().Contain(f => f.Kind == FindingKind.NonFinite);
    }

    [Fact]
    public async Task DependencyInjection_ReadmeRegistration_WritesEventFile()
    {
        var services = new ServiceCollection();
        services.AddGradDiag(b => b.AddTensorBoard(o => o.LogDirectory = _logDirectory).AddDefaultDetectors());

        await using (ServiceProvider provider = services.BuildServiceProvider(validateScopes: true))
        {
            GradientMonitor monitor = provider.GetRequiredService<GradientMonitor>();
            monitor.Observe(0, 1.0, new Dictionary<string, float[]> { ["fc1.weight"] = [0.1f, -0.2f, 0.3f] });
            await monitor.FlushAsync();
        }

        Directory.EnumerateFiles(_logDirectory, "events.out.tfevents.*", SearchOption.AllDirectories)
            .Should().ContainSingle();
    }

    [Fact]
    public void DependencyInjection_SyncDispose_FlushesEventFile()
    {
        var services = new ServiceCollection();
        services.AddGradDiag(b => b.AddTensorBoard(o => o.LogDirectory = _logDirectory).AddDefaultDetectors());

        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            GradientMonitor monitor = provider.GetRequiredService<GradientMonitor>();
            monitor.Observe(0, 1.0, new Dictionary<string, float[]> { ["fc1.weight"] = [0.1f, -0.2f, 0.3f] });
        }

        string file = Directory.EnumerateFiles(_logDirectory, "events.out.tfevents.*", SearchOption.AllDirectories).Single();
        new FileInfo(file).Length.Should().BeGreaterThan(100, "the header and the step's records are written on dispose");
    }

    private static RunReport RunCustomLoop(Func<int, float> gradientScale)
    {
        using var monitor = new GradientMonitor(detectors: DefaultDetectors.Create());
        var fc1Gradient = new float[64];
        var fc2Gradient = new float[10];
        for (int step = 0; step < 200; step++)
        {
            float scale = gradientScale(step);
            Array.Fill(fc1Gradient, scale * 0.1f);
            Array.Fill(fc2Gradient, scale);
            double loss = 2.0 / (1 + step);
            monitor.Observe(step, loss, new Dictionary<string, float[]>
            {
                ["fc1.weight"] = fc1Gradient,
                ["fc2.weight"] = fc2Gradient,
            });
        }

        return monitor.CreateReport("my-run");
    }
}
