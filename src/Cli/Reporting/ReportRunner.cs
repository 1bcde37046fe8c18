using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Reporting;

/// <summary>Runs <c>graddiag report</c>: read the runs, analyse each, write the reports, choose the exit code.</summary>
internal sealed class ReportRunner(CommandInvocation invocation)
{
    /// <summary>Runs the report and returns the exit code.</summary>
    public async Task<int> RunAsync(ReportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CliEngines engines = invocation.Services.Engines;
        CancellationToken cancellationToken = invocation.CancellationToken;
        if (!settings.LogDirectory.Exists)
        {
            throw new InputException($"Log folder '{settings.LogDirectory.FullName}' was not found.");
        }

        IGradientLogReader reader = engines.LogReader
            ?? throw new EngineNotAvailableException("report", "the TensorBoard event-file reader (GradDiag.Writers)");
        IRunAnalyzer analyzer = engines.Analyzer
            ?? throw new EngineNotAvailableException("report", "the offline detector pipeline (GradDiag.Detectors)");
        if (settings.Format != ReportFormat.Text && engines.Formatter is null)
        {
            throw new EngineNotAvailableException("report", $"the {settings.Format} report formatter (GradDiag.Detectors)");
        }

        IReadOnlyList<GradientRunLog> logs = await reader.ReadAsync(settings.LogDirectory, settings.TagPatterns, cancellationToken).ConfigureAwait(false);
        if (logs.Count == 0 || logs.All(log => log.Series.Layers.Count == 0))
        {
            throw new InputException(
                $"No gradient series found in '{settings.LogDirectory.FullName}' for tag patterns {string.Join(", ", settings.TagPatterns)}; pass --tags with the tags your run wrote.");
        }

        // After Ctrl+C the runs analysed so far are still written, and the report is marked interrupted.
        var reports = new List<RunReport>(logs.Count);
        bool interrupted = false;
        foreach (GradientRunLog log in logs)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }

            reports.Add(analyzer.Analyze(log, cancellationToken));
        }

        if (interrupted || cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
            for (int i = 0; i < reports.Count; i++)
            {
                reports[i] = reports[i] with { Interrupted = true };
            }
        }

        await WriteAsync(settings, reports).ConfigureAwait(false);
        return interrupted ? ExitCodes.Interrupted : settings.FailOn.ExitCodeFor(reports);
    }

    private async Task WriteAsync(ReportSettings settings, List<RunReport> reports)
    {
        if (settings.OutputFile is null)
        {
            Write(settings.Format, reports, invocation.Console.Out, toConsole: true);
            return;
        }

        // Write beside the target and move into place, so that a failed write never leaves a torn report.
        string target = settings.OutputFile.FullName;
        string temporary = target + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var writer = new StreamWriter(temporary, append: false);
        await using (writer.ConfigureAwait(false))
        {
            Write(settings.Format, reports, writer, toConsole: false);
        }

        File.Move(temporary, target, overwrite: true);
        invocation.Console.WriteLine($"Wrote the {settings.Format} report of {reports.Count} run(s) to {target}.");
    }

    private void Write(ReportFormat format, IReadOnlyList<RunReport> reports, TextWriter writer, bool toConsole)
    {
        if (format != ReportFormat.Text)
        {
            invocation.Services.Engines.Formatter!.Write(reports, format, writer);
        }
        else if (toConsole)
        {
            TextReportWriter.Write(reports, invocation.Console);
        }
        else
        {
            TextReportWriter.Write(reports, new Output.PlainConsole(writer, invocation.Services.Error));
        }
    }
}
