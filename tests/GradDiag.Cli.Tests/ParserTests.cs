using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Tests;

public class ParserTests
{
    [Fact]
    public async Task Help_ListsEveryCommand()
    {
        CliResult result = await CliHarness.RunAsync("--help");

        result.ExitCode.Should().Be(0);
        foreach (string command in new[] { "demo", "train", "report", "plot", "inspect", "artifacts" })
        {
            result.Output.Should().Contain(command);
        }
    }

    [Fact]
    public async Task TrainHelp_ShowsUnitsAndRunsWithoutArguments()
    {
        CliResult result = await CliHarness.RunAsync("train", "--help");

        result.ExitCode.Should().Be(0);
        result.Output.Should().Contain("--batch-size");
        result.Output.Should().Contain("Rows per batch");
        result.Output.Should().Contain("--histogram-every");
        result.Error.Should().BeEmpty();
    }

    [Fact]
    public async Task UnknownOption_ExitsTwoWithOneLine()
    {
        CliResult result = await CliHarness.RunAsync("report", "logs", "--bogus");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle();
        result.Error.Should().Contain("--bogus");
    }

    [Fact]
    public async Task UnknownOptionBeforeArgument_NamesOption()
    {
        CliResult result = await CliHarness.RunAsync("report", "--bogus", "logs");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("Unknown option '--bogus'");
    }

    [Fact]
    public async Task EpochsAndSteps_Conflict()
    {
        CliResult result = await CliHarness.RunAsync("train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz, "--epochs", "2", "--steps", "5");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle();
        result.Error.Should().Contain("--epochs").And.Contain("--steps");
    }

    [Fact]
    public async Task GithubFormatWithOutput_Conflict()
    {
        CliResult result = await CliHarness.RunAsync("report", "logs", "--format", "github", "--output", "r.txt");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("--format github");
    }

    [Theory]
    [InlineData("--lr", "0")]
    [InlineData("--batch-size", "0")]
    [InlineData("--validation-split", "1")]
    [InlineData("--momentum", "1.5")]
    [InlineData("--device", "gpu")]
    public async Task TrainRange_RejectsValue(string option, string value)
    {
        CliResult result = await CliHarness.RunAsync("train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz, "--optimizer", "momentum", option, value);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain(option);
    }

    [Fact]
    public async Task ResumeWithoutCheckpointDir_Rejected()
    {
        CliResult result = await CliHarness.RunAsync("train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz, "--resume");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("--checkpoint-dir");
    }

    [Fact]
    public async Task PlotStepRange_Reversed()
    {
        CliResult result = await CliHarness.RunAsync("plot", "logs", "--out", "a.png", "--from-step", "10", "--to-step", "5");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("--from-step 10");
    }

    [Fact]
    public async Task FailOnUnknownLevel_Rejected()
    {
        CliResult result = await CliHarness.RunAsync("report", "logs", "--fail-on", "fatal");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("fatal");
    }

    [Fact]
    public async Task ReportMissingFolder_ExitsTwo()
    {
        string missing = Path.Combine(TestPaths.NewTempFolder(), "nothing-here");

        CliResult result = await CliHarness.RunAsync("report", missing);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain(missing);
    }

    [Theory]
    [InlineData("report")]
    [InlineData("plot")]
    public async Task UnwiredLogCommand_ExitsFour(string command)
    {
        string folder = TestPaths.NewTempFolder();
        string[] args = command == "plot" ? [command, folder, "--out", Path.Combine(folder, "p.png")] : [command, folder];

        CliResult result = await CliHarness.RunAsync(args);

        result.ExitCode.Should().Be(ExitCodes.NotAvailable);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("not available in this build");
        result.Output.Should().BeEmpty();
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("artifacts")]
    [InlineData("train")]
    public async Task UnwiredModelCommand_ExitsFour(string command)
    {
        string[] args = command == "train" ? [command, TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz] : [command, TestPaths.DigitsMlp];

        CliResult result = await CliHarness.RunAsync(args);

        result.ExitCode.Should().Be(ExitCodes.NotAvailable);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain($"'graddiag {command}' is not available");
    }

    [Fact]
    public async Task InspectMissingModel_ExitsTwo()
    {
        CliResult result = await CliHarness.RunAsync("inspect", "/no/such/model.onnx");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("/no/such/model.onnx").And.Contain("not found");
    }

    [Fact]
    public async Task InternalError_HidesStackTraceByDefault()
    {
        var engines = new CliEngines { Trainer = new ThrowingTrainer(new InvalidOperationException("boom")) };

        CliResult result = await CliHarness.RunAsync(engines, "train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz);

        result.ExitCode.Should().Be(ExitCodes.InternalError);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("boom").And.Contain("--verbose");
    }

    [Fact]
    public async Task InternalError_VerboseShowsStackTrace()
    {
        var engines = new CliEngines { Trainer = new ThrowingTrainer(new InvalidOperationException("boom")) };

        CliResult result = await CliHarness.RunAsync(engines, "train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz, "--verbose");

        result.ExitCode.Should().Be(ExitCodes.InternalError);
        result.ErrorLines.Length.Should().BeGreaterThan(1);
        result.Error.Should().Contain("at GradDiag.Cli.Tests.ThrowingTrainer");
    }

    [Fact]
    public async Task CancelledTraining_ExitsInterrupted()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var engines = new CliEngines { Trainer = new RecordingTrainer() };

        CliResult result = await CliHarness.RunAsync(engines, cancellation.Token, "train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz);

        result.ExitCode.Should().Be(ExitCodes.Interrupted);
        result.Output.Should().Contain("interrupted");
    }
}
