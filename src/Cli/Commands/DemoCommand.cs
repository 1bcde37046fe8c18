using System.CommandLine;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Reporting;

namespace GradDiag.Cli.Commands;

/// <summary><c>graddiag demo</c>: trains the demo models on the bundled digits data and prints their verdicts.</summary>
internal static class DemoCommand
{
    /// <summary>The bundled data, relative to the tool's folder and to the repository root.</summary>
    public static readonly string BundledDataPath = Path.Combine("data", "digits", "digits.npz");

    /// <summary>Creates the command.</summary>
    public static Command Create(CliServices services)
    {
        var data = new Option<FileInfo?>("--data") { Description = $"The digits archive; default: {BundledDataPath} next to the tool, else in the current folder." };
        var logDirectory = new Option<DirectoryInfo>("--logdir") { Description = "Folder for the demo's event files, one run folder per model.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("runs", "demo")) };
        var device = SharedOptions.CreateDevice();
        var steps = new Option<long>("--steps") { Description = "Training steps per model (1 or more).", DefaultValueFactory = _ => 300L }.AtLeast(1L);
        var seed = new Option<int>("--seed") { Description = "Shuffle seed.", DefaultValueFactory = _ => 0 };
        var failOn = SharedOptions.CreateFailOn();
        failOn.DefaultValueFactory = _ => "never";
        failOn.Description = "Exit with code 1 when a finding has this severity or a higher one (default never, because the demo trains a failing model on purpose).";

        var command = new Command("demo", "Train three small models on the bundled digits data with the ONNX Runtime backend and print each one's gradient verdict.")
        {
            data, logDirectory, device, steps, seed, failOn,
        };

        CommandAction.Set(command, services, async invocation =>
        {
            ParseResult parse = invocation.ParseResult;
            FileInfo dataPath = parse.GetValue(data) ?? FindBundledData();
            if (!dataPath.Exists)
            {
                throw new InputException($"Demo data '{dataPath.FullName}' was not found; pass --data with the path of digits.npz.");
            }

            var settings = new DemoSettings(dataPath, parse.GetValue(logDirectory)!, DeviceSpec.Parse(parse.GetValue(device)!, "--device"), parse.GetValue(steps), parse.GetValue(seed));
            IDemoRunner runner = invocation.Services.Engines.Demo
                ?? throw new EngineNotAvailableException("demo", "the ONNX Runtime training backend (GradDiag.OrtBackend) and the monitor (GradDiag)");
            IReadOnlyList<RunReport> reports = await runner.RunAsync(settings, invocation.Console, invocation.CancellationToken).ConfigureAwait(false);
            foreach (RunReport report in reports)
            {
                invocation.Console.WriteLine(TextReportWriter.VerdictLine(report));
            }

            return reports.Any(r => r.Interrupted) ? ExitCodes.Interrupted : FailOnThreshold.Parse(parse.GetValue(failOn)!).ExitCodeFor(reports);
        });

        return command;
    }

    private static FileInfo FindBundledData()
    {
        var besideTool = new FileInfo(Path.Combine(AppContext.BaseDirectory, BundledDataPath));
        return besideTool.Exists ? besideTool : new FileInfo(Path.GetFullPath(BundledDataPath));
    }
}
