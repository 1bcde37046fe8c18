using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Output;

namespace GradDiag.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public async Task MissingData_ExitsTwo()
    {
        CliResult result = await CliHarness.RunAsync("demo", "--data", "/no/such/digits.npz");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("/no/such/digits.npz");
    }

    [Fact]
    public async Task Unwired_ExitsFour()
    {
        CliResult result = await CliHarness.RunAsync("demo", "--data", TestPaths.DigitsNpz);

        result.ExitCode.Should().Be(ExitCodes.NotAvailable);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("'graddiag demo' is not available");
    }

    [Fact]
    public async Task Verdicts_OneLinePerModel()
    {
        var runner = new FixedDemoRunner(
            new RunReport { Run = "mlp", FirstStep = 0, LastStep = 9 },
            new RunReport { Run = "deep-sigmoid", FirstStep = 0, LastStep = 9, Findings = [TestData.Finding(Severity.Error)] });

        CliResult result = await CliHarness.RunAsync(new CliEngines { Demo = runner }, "demo", "--data", TestPaths.DigitsNpz, "--steps", "10");

        result.ExitCode.Should().Be(ExitCodes.Success);
        result.Output.Should().Contain("mlp: healthy (0 findings, steps 0-9)");
        result.Output.Should().Contain("deep-sigmoid: failing (1 finding, steps 0-9)");
        runner.Settings!.Steps.Should().Be(10);
    }

    [Fact]
    public async Task FailOnError_ExitsOne()
    {
        var runner = new FixedDemoRunner(new RunReport { Run = "deep", Findings = [TestData.Finding(Severity.Error)] });

        CliResult result = await CliHarness.RunAsync(new CliEngines { Demo = runner }, "demo", "--data", TestPaths.DigitsNpz, "--fail-on", "error");

        result.ExitCode.Should().Be(ExitCodes.FindingsAtOrAboveThreshold);
    }

    [Fact]
    public void Services_RichOnQuietTerminal()
    {
        var services = new CliServices(CliEngines.None, new StringWriter(), new StringWriter(), new System.Collections.Hashtable(), outputIsTerminal: true);

        services.CreateConsole(plainRequested: false).IsRich.Should().BeTrue();
        services.CreateConsole(plainRequested: true).IsRich.Should().BeFalse();
    }

    private sealed class FixedDemoRunner(params RunReport[] reports) : IDemoRunner
    {
        public DemoSettings? Settings { get; private set; }

        public Task<IReadOnlyList<RunReport>> RunAsync(DemoSettings settings, ICliConsole console, CancellationToken cancellationToken)
        {
            Settings = settings;
            return Task.FromResult<IReadOnlyList<RunReport>>(reports);
        }
    }
}
