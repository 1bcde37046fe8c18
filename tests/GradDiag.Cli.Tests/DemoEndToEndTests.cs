using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Detectors.Reporting;

namespace GradDiag.Cli.Tests;

/// <summary>graddiag demo with the wired engines on the bundled digits data.</summary>
public class DemoEndToEndTests
{
    [Fact]
    public async Task Demo_ThreeVerdictsAndReports()
    {
        string logs = Path.Combine(TestPaths.NewTempFolder(), "demo");

        CliResult result = await CliHarness.RunAsync(DefaultEngines.Create(), "demo", "--data", TestPaths.DigitsNpz, "--logdir", logs);

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("healthy-relu: healthy (0 findings, steps 0-299)");
        result.Output.Should().Contain("deep-sigmoid: failing");
        result.Output.Should().Contain("exploding-linear: failing");
        result.Output.Should().Contain($"tensorboard --logdir {logs}");

        RunReport healthy = ReadReport(logs, "healthy-relu");
        RunReport sigmoid = ReadReport(logs, "deep-sigmoid");
        RunReport exploding = ReadReport(logs, "exploding-linear");
        healthy.Findings.Should().BeEmpty();
        sigmoid.Findings.Where(f => f.Kind == FindingKind.Vanishing).SelectMany(f => f.Layers).Should().Contain("fc1").And.NotContain("out");
        sigmoid.Findings.Select(f => f.Kind).Should().NotContain([FindingKind.Exploding, FindingKind.NonFinite]);
        Finding explosion = exploding.Findings.First(f => f.Kind == FindingKind.Exploding);
        Finding overflow = exploding.Findings.First(f => f.Kind == FindingKind.NonFinite);
        explosion.FirstStep.Should().BeLessThan(overflow.FirstStep, "the gradients explode before they overflow");
        exploding.Findings.Select(f => f.Kind).Should().NotContain(FindingKind.DeadLayer, "NaN gradients are non-finite, not dead");
    }

    [Fact]
    public async Task Demo_FailOnErrorExitsOne()
    {
        string logs = Path.Combine(TestPaths.NewTempFolder(), "demo");

        CliResult result = await CliHarness.RunAsync(DefaultEngines.Create(), "demo", "--data", TestPaths.DigitsNpz, "--logdir", logs, "--steps", "120", "--fail-on", "error");

        result.ExitCode.Should().Be(ExitCodes.FindingsAtOrAboveThreshold, result.Error);
        Directory.EnumerateFiles(Path.Combine(logs, "deep-sigmoid"), "*tfevents*").Should().NotBeEmpty();
    }

    private static RunReport ReadReport(string logs, string run) =>
        JsonReportFormatter.Parse(File.ReadAllText(Path.Combine(logs, run, "graddiag-report.json")));
}
