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

        IReadOnlyList<GradientRunLog> all = await reader.ReadAsync(settings.LogDirectory, settings.TagPatterns, cancellationToken).ConfigureAwait(false);
        foreach (string problem in all.SelectMany(log => log.Problems))
        {
            invocation.Console.WriteWarning(problem);
        }

        List<GradientRunLog> logs = all.Where(log => log.HasSeries).ToList();
        if (logs.Count == 0)
        {
            throw new InputException(NoSeriesMessage(settings.LogDirectory, settings.TagPatterns, all));
        }

        foreach (GradientRunLog skipped in all.Where(log => !log.HasSeries))
        {
            invocation.Console.WriteWarning($"run '{skipped.ReportName}' has no gradient-norm series and was left out (found: {TagList(skipped.AvailableTags)}).");
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

    /// <summary>Says which tags the runs hold and how to point --tags at the gradient norms among them.</summary>
    public static string NoSeriesMessage(DirectoryInfo logDirectory, IReadOnlyList<string> tagPatterns, IReadOnlyList<GradientRunLog> runs)
    {
        ArgumentNullException.ThrowIfNull(logDirectory);
        ArgumentNullException.ThrowIfNull(tagPatterns);
        ArgumentNullException.ThrowIfNull(runs);
        string patterns = tagPatterns.Count == 0
            ? "the default gradient-norm tags (such as grad_norm/<parameter>, gradient_norm/<parameter>, gradients/<parameter>/norm)"
            : "the tag patterns " + string.Join(", ", tagPatterns);
        string found = runs.Count == 0
            ? "no runs"
            : string.Join("; ", runs.Select(run => $"run '{run.ReportName}' has {TagList(run.AvailableTags)}"));
        return $"No gradient-norm series found in '{logDirectory.FullName}' for {patterns}: {found}. " +
            "Pass --tags with the pattern of your gradient-norm tags, where * stands for the parameter name (for example --tags 'my_grads/*/l2'), or the exact tag of a total norm.";
    }

    private static string TagList(IReadOnlyList<string> tags)
    {
        const int Shown = 12;
        if (tags.Count == 0)
        {
            return "no tags";
        }

        string list = string.Join(", ", tags.Take(Shown));
        return tags.Count > Shown ? $"tags {list} and {tags.Count - Shown} more" : $"tags {list}";
    }

    private async Task WriteAsync(ReportSettings settings, List<RunReport> reports)
    {
        if (settings.OutputFile is null)
        {
            Write(settings, reports, invocation.Console.Out, toConsole: true);
            return;
        }

        // Write beside the target and move into place, so that a failed write never leaves a torn report.
        string target = settings.OutputFile.FullName;
        string temporary = target + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var writer = new StreamWriter(temporary, append: false);
        await using (writer.ConfigureAwait(false))
        {
            Write(settings, reports, writer, toConsole: false);
        }

        File.Move(temporary, target, overwrite: true);
        invocation.Console.WriteLine($"Wrote the {settings.Format} report of {reports.Count} run(s) to {target}.");
    }

    private void Write(ReportSettings settings, IReadOnlyList<RunReport> reports, TextWriter writer, bool toConsole)
    {
        if (settings.Format != ReportFormat.Text)
        {
            invocation.Services.Engines.Formatter!.Write(reports, settings.Format, settings.FailOn, writer);
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
