using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Tests;

/// <summary>Parse errors end as one readable stderr line and exit code 2, never as a crash.</summary>
public class ParseErrorMessageTests
{
    [Theory]
    [InlineData("report", "logs", "--format", "xml")]
    [InlineData("report", "logs", "--format", "xml", "--output", "out.json")]
    [InlineData("report", "logs", "--fail-on", "bogus")]
    public async Task InvalidChoice_NamesOption(params string[] args)
    {
        CliResult result = await CliHarness.RunAsync(args);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().StartWith("graddiag: Invalid value for option '--");
        result.Error.Trim().Split('\n').Should().ContainSingle();
    }

    [Fact]
    public async Task UnknownCommand_ListsCommands()
    {
        CliResult result = await CliHarness.RunAsync("frobnicate");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("Unknown command 'frobnicate'");
        result.Error.Should().Contain("report");
    }

    [Fact]
    public async Task NonNumericValue_HidesTypeName()
    {
        CliResult result = await CliHarness.RunAsync("train", "model.onnx", "--data", "x.npz", "--steps", "abc");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("Invalid value 'abc' for option '--steps': expected a whole number.");
        result.Error.Should().NotContain("System.");
    }
}
