using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Tests;

public class ReportCommandTests
{
    private static CliEngines Engines(params Finding[] findings) =>
        new() { LogReader = new FakeLogReader(TestData.Log()), Analyzer = new FakeAnalyzer(findings) };

    [Fact]
    public async Task Healthy_ExitsZeroWithVerdict()
    {
        CliResult result = await CliHarness.RunAsync(Engines(), "report", TestPaths.NewTempFolder());

        result.ExitCode.Should().Be(ExitCodes.Success);
        result.Output.Should().Contain("run1: healthy (0 findings, steps 0-3)");
    }

    [Fact]
    public async Task ErrorFinding_ExitsOne()
    {
        CliResult result = await CliHarness.RunAsync(Engines(TestData.Finding(Severity.Error)), "report", TestPaths.NewTempFolder());

        result.ExitCode.Should().Be(ExitCodes.FindingsAtOrAboveThreshold);
        result.Output.Should().Contain("run1: failing (1 finding");
        result.Output.Should().Contain("vanishing gradients in fc1");
    }

    [Fact]
    public async Task WarningBelowFailOn_ExitsZero()
    {
        CliResult result = await CliHarness.RunAsync(Engines(TestData.Finding(Severity.Warning)), "report", TestPaths.NewTempFolder());

        result.ExitCode.Should().Be(ExitCodes.Success);
    }

    [Fact]
    public async Task FailOnWarning_ExitsOne()
    {
        CliResult result = await CliHarness.RunAsync(Engines(TestData.Finding(Severity.Warning)), "report", TestPaths.NewTempFolder(), "--fail-on", "warning");

        result.ExitCode.Should().Be(ExitCodes.FindingsAtOrAboveThreshold);
    }

    [Fact]
    public async Task FailOnNever_ExitsZero()
    {
        CliResult result = await CliHarness.RunAsync(Engines(TestData.Finding(Severity.Critical)), "report", TestPaths.NewTempFolder(), "--fail-on", "never");

        result.ExitCode.Should().Be(ExitCodes.Success);
    }

    [Fact]
    public async Task NoSeries_ExitsTwo()
    {
        var engines = new CliEngines { LogReader = new FakeLogReader(), Analyzer = new FakeAnalyzer() };

        CliResult result = await CliHarness.RunAsync(engines, "report", TestPaths.NewTempFolder());

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("No gradient-norm series").And.Contain("--tags");
    }

    [Fact]
    public async Task Tags_SplitAndPassedToReader()
    {
        var reader = new FakeLogReader(TestData.Log());
        var engines = new CliEngines { LogReader = reader, Analyzer = new FakeAnalyzer() };

        await CliHarness.RunAsync(engines, "report", TestPaths.NewTempFolder(), "--tags", "a/*,b/*", "--tags", "c");

        reader.SeenPatterns.Should().Equal("a/*", "b/*", "c");
    }

    [Fact]
    public async Task DefaultTags_UsedWithoutOption()
    {
        var reader = new FakeLogReader(TestData.Log());
        var engines = new CliEngines { LogReader = reader, Analyzer = new FakeAnalyzer() };

        await CliHarness.RunAsync(engines, "report", TestPaths.NewTempFolder());

        reader.SeenPatterns.Should().BeEmpty("the reader's own default patterns apply");
    }

    [Fact]
    public async Task TextToFile_WritesReport()
    {
        string folder = TestPaths.NewTempFolder();
        string file = Path.Combine(folder, "out", "report.txt");

        CliResult result = await CliHarness.RunAsync(Engines(TestData.Finding(Severity.Error)), "report", folder, "--output", file, "--fail-on", "never");

        result.ExitCode.Should().Be(ExitCodes.Success);
        File.ReadAllText(file).Should().Contain("run1: failing");
        File.Exists(file + ".tmp").Should().BeFalse();
    }

    [Fact]
    public async Task JsonWithoutFormatter_ExitsFour()
    {
        CliResult result = await CliHarness.RunAsync(Engines(), "report", TestPaths.NewTempFolder(), "--format", "json");

        result.ExitCode.Should().Be(ExitCodes.NotAvailable);
        result.Error.Should().Contain("Json report formatter");
    }

    [Fact]
    public async Task Cancelled_MarksInterrupted()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        CliResult result = await CliHarness.RunAsync(Engines(), cancellation.Token, "report", TestPaths.NewTempFolder());

        result.ExitCode.Should().Be(ExitCodes.Interrupted);
    }
}
