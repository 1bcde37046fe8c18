using System.Diagnostics;

namespace GradDiag.Cli.Tests;

public class ProcessTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunToolAsync(params string[] args)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "GradDiag.Cli.dll");
        File.Exists(tool).Should().BeTrue($"the built tool should be copied next to the tests at {tool}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(tool);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Help_ExitsZero()
    {
        (int exitCode, string output, string error) = await RunToolAsync("--help");

        exitCode.Should().Be(0, error);
        output.Should().Contain("graddiag").And.Contain("report <logdir>");
    }

    [Fact]
    public async Task UnknownOption_ExitsTwo()
    {
        (int exitCode, _, string error) = await RunToolAsync("plot", "--nope");

        exitCode.Should().Be(2);
        error.Trim().Split('\n').Should().ContainSingle();
    }

    [Fact]
    public async Task ReportExploding_ExitsOne()
    {
        (int exitCode, string output, string error) = await RunToolAsync("report", TestPaths.TfEvents("pytorch_exploding"));

        exitCode.Should().Be(1, error);
        output.Should().Contain("pytorch_exploding: failing (7 findings, steps 0-199)");
    }

    [Fact]
    public async Task TrainCtrlC_WritesInterruptedReport()
    {
        string folder = TestPaths.NewTempFolder();
        string tool = Path.Combine(AppContext.BaseDirectory, "GradDiag.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { tool, "train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsNpz, "--steps", "1000000", "--logdir", folder })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is string line)
        {
            output.AppendLine(line);
            if (line.Contains("started", StringComparison.Ordinal))
            {
                break;
            }
        }

        // Ctrl+C sends SIGINT. The first one requests that the trainer stop after its current step.
        using (Process signal = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await signal.WaitForExitAsync(timeout.Token);
        }

        output.Append(await process.StandardOutput.ReadToEndAsync(timeout.Token));
        await process.WaitForExitAsync(timeout.Token);

        process.ExitCode.Should().Be(130, await error);
        output.ToString().Should().Contain("interrupted");
        string report = File.ReadAllText(Path.Combine(folder, "digits_mlp", "graddiag-report.json"));
        report.Should().Contain("\"interrupted\": true");
    }
}
