using System.Globalization;
using GradDiag.Cli.Output;

namespace GradDiag.Cli.Reporting;

/// <summary>Writes reports as text: one verdict line per run, then its findings and per-layer summaries as tables.</summary>
internal static class TextReportWriter
{
    /// <summary>Writes every report to the console.</summary>
    public static void Write(IReadOnlyList<RunReport> reports, ICliConsole console)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(console);
        foreach (RunReport report in reports)
        {
            console.WriteLine(VerdictLine(report));
            if (report.Findings.Count > 0)
            {
                console.WriteTable(FindingsTable(report));
            }

            if (report.Layers.Count > 0)
            {
                console.WriteTable(LayersTable(report));
            }
        }
    }

    /// <summary>Returns the one-line verdict of a run, for example <c>run1: failing (2 findings, steps 0-199)</c>.</summary>
    public static string VerdictLine(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        string steps = report.FirstStep is long first && report.LastStep is long last
            ? string.Create(CultureInfo.InvariantCulture, $", steps {first}-{last}")
            : ", no steps observed";
        string interrupted = report.Interrupted ? ", interrupted" : string.Empty;
        string findings = report.Findings.Count == 1 ? "1 finding" : string.Create(CultureInfo.InvariantCulture, $"{report.Findings.Count} findings");
        return $"{report.Run}: {report.Verdict.ToString().ToLowerInvariant()} ({findings}{steps}{interrupted})";
    }

    private static TableContent FindingsTable(RunReport report)
    {
        List<IReadOnlyList<string>> rows = report.Findings
            .Select(f => (IReadOnlyList<string>)
            [
                f.Severity.ToString().ToLowerInvariant(),
                f.Kind.Value,
                string.Join(", ", f.Layers.Count > 0 ? f.Layers : f.Parameters),
                string.Create(CultureInfo.InvariantCulture, $"{f.FirstStep}-{f.LastStep}{(f.IsOpen ? " (open)" : string.Empty)}"),
                f.Message,
            ])
            .ToList();
        return new TableContent($"Findings of {report.Run}", ["severity", "kind", "layers", "steps", "message"], rows);
    }

    private static TableContent LayersTable(RunReport report)
    {
        List<IReadOnlyList<string>> rows = report.Layers
            .Select(l => (IReadOnlyList<string>)
            [
                l.Depth.ToString(CultureInfo.InvariantCulture),
                l.Name,
                Number(l.FirstNorm),
                Number(l.LastNorm),
                Number(l.MedianNorm),
                l.NonFiniteSteps.ToString(CultureInfo.InvariantCulture),
                l.WorstSeverity?.ToString().ToLowerInvariant() ?? "-",
            ])
            .ToList();
        return new TableContent($"Gradient norms of {report.Run}", ["depth", "parameter", "first", "last", "median", "non-finite steps", "worst"], rows);
    }

    private static string Number(double value) => double.IsNaN(value) ? "-" : value.ToString("G4", CultureInfo.InvariantCulture);
}
