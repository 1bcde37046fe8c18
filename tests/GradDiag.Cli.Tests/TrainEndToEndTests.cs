using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Detectors.Reporting;

namespace GradDiag.Cli.Tests;

/// <summary>graddiag train with the ONNX Runtime backend on the digits data and the digits MLP fixture.</summary>
public class TrainEndToEndTests
{
    private static Task<CliResult> TrainAsync(string folder, CancellationToken cancellationToken, params string[] extra) =>
        CliHarness.RunAsync(
            DefaultEngines.Create(),
            cancellationToken,
            ["train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz, "--lr", "0.1", "--logdir", Path.Combine(folder, "runs"), .. extra]);

    [Fact]
    public async Task DigitsMlp_HealthyWithEventFiles()
    {
        string folder = TestPaths.NewTempFolder();

        CliResult result = await TrainAsync(folder, CancellationToken.None, "--steps", "30", "--validation-split", "0.2");

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("digits_mlp: healthy (0 findings, steps 0-29)");
        string runFolder = Path.Combine(folder, "runs", "digits_mlp");
        Directory.EnumerateFiles(runFolder, "*tfevents*").Should().NotBeEmpty();
        RunReport saved = JsonReportFormatter.Parse(File.ReadAllText(Path.Combine(runFolder, "graddiag-report.json")));
        saved.StepsObserved.Should().Be(30);
        saved.Layers.Select(l => l.Name).Should().Equal("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");

        // The event files read back through graddiag report give the same steps and parameters.
        CliResult report = await CliHarness.RunAsync(DefaultEngines.Create(), "report", Path.Combine(folder, "runs"), "--format", "json");
        report.ExitCode.Should().Be(ExitCodes.Success, report.Error);
        report.Output.Should().Contain("\"run\": \"runs/digits_mlp\"");
        report.Output.Should().Contain("\"stepsObserved\": 30");
    }

    [Fact]
    public async Task Resume_ContinuesFromCheckpoint()
    {
        string folder = TestPaths.NewTempFolder();
        string checkpoints = Path.Combine(folder, "checkpoints");
        CliResult first = await TrainAsync(folder, CancellationToken.None, "--steps", "20", "--checkpoint-dir", checkpoints, "--checkpoint-every", "10");
        first.ExitCode.Should().Be(ExitCodes.Success, first.Error);

        CliResult resumed = await TrainAsync(folder, CancellationToken.None, "--steps", "30", "--checkpoint-dir", checkpoints, "--resume");

        resumed.ExitCode.Should().Be(ExitCodes.Success, resumed.Error);
        resumed.Output.Should().Contain("digits_mlp: healthy (0 findings, steps 20-29)");
        Directory.EnumerateFiles(checkpoints, "step-*.gdckpt").Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Should().Equal("step-0000000010.gdckpt", "step-0000000020.gdckpt", "step-0000000030.gdckpt");
    }

    [Fact]
    public async Task ResumeWithoutCheckpoint_ExitsTwo()
    {
        string folder = TestPaths.NewTempFolder();

        CliResult result = await TrainAsync(folder, CancellationToken.None, "--steps", "5", "--checkpoint-dir", Path.Combine(folder, "empty"), "--resume");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("no step-*.gdckpt file");
    }

    [Fact]
    public async Task Interrupted_WritesPartialReport()
    {
        string folder = TestPaths.NewTempFolder();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        CliResult result = await TrainAsync(folder, cancellation.Token, "--steps", "50");

        result.ExitCode.Should().Be(ExitCodes.Interrupted, result.Error);
        result.Output.Should().Contain("interrupted");
        RunReport saved = JsonReportFormatter.Parse(File.ReadAllText(Path.Combine(folder, "runs", "digits_mlp", "graddiag-report.json")));
        saved.Interrupted.Should().BeTrue();
    }

    [Fact]
    public async Task MalformedModel_ExitsTwo()
    {
        string folder = TestPaths.NewTempFolder();
        string model = Path.Combine(folder, "cut.onnx");
        File.WriteAllBytes(model, File.ReadAllBytes(TestPaths.DigitsMlp)[..100]);

        CliResult result = await CliHarness.RunAsync(DefaultEngines.Create(), "train", model, "--data", TestPaths.DigitsNpz, "--steps", "5", "--logdir", folder);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain(model);
    }

    [Fact]
    public async Task CsvData_Trains()
    {
        string folder = TestPaths.NewTempFolder();

        CliResult result = await CliHarness.RunAsync(
            DefaultEngines.Create(), "train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsCsv, "--steps", "10", "--logdir", folder);

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("Loaded 1797 rows from digits.csv");
        result.Output.Should().Contain("digits_mlp: healthy (0 findings, steps 0-9)");
    }

    [Fact]
    public async Task CnnWithoutSampleShape_ExitsTwo()
    {
        string folder = TestPaths.NewTempFolder();
        string model = TestPaths.OnnxFixture("digits_cnn.onnx");

        CliResult result = await CliHarness.RunAsync(DefaultEngines.Create(), "train", model, "--data", TestPaths.DigitsNpz, "--steps", "3", "--logdir", folder);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        string line = result.ErrorLines.Should().ContainSingle().Subject;
        line.Should().Contain("[32, 64]").And.Contain("--sample-shape");
    }

    [Fact]
    public async Task CnnWithSampleShape_Trains()
    {
        string folder = TestPaths.NewTempFolder();
        string model = TestPaths.OnnxFixture("digits_cnn.onnx");

        CliResult result = await CliHarness.RunAsync(
            DefaultEngines.Create(), "train", model, "--data", TestPaths.DigitsNpz, "--steps", "3", "--logdir", folder, "--sample-shape", "1,8,8");

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("digits_cnn: healthy (0 findings, steps 0-2)");
    }

    [Fact]
    public async Task MseWithClassLabels_ExitsTwo()
    {
        CliResult result = await TrainAsync(TestPaths.NewTempFolder(), CancellationToken.None, "--steps", "3", "--loss", "mse");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        string line = result.ErrorLines.Should().ContainSingle().Subject;
        line.Should().Contain("'target'").And.Contain("float targets shaped like the model output");
    }
}
