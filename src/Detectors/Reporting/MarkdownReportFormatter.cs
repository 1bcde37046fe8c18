using System.Globalization;
using System.Text;

namespace GradDiag.Detectors.Reporting;

/// <summary>Writes a <see cref="RunReport"/> as GitHub-flavoured Markdown, for example for a CI job summary.</summary>
/// <remarks>
/// The output has the verdict, a findings table (severity, kind, layers, steps, message, key evidence numbers,
/// remedy), the observations, and a per-layer table of gradient-norm summaries. Table cells escape <c>|</c>
/// and turn line breaks into <c>&lt;br&gt;</c>.
/// </remarks>
public static class MarkdownReportFormatter
{
    /// <summary>Returns the report as Markdown.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The Markdown text, ending with a line break.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static string Format(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var builder = new StringBuilder();
        AppendHeader(builder, report);
        AppendFindings(builder, report);
        AppendObservations(builder, report);
        AppendLayers(builder, report);
        return builder.ToString();
    }

    private static void AppendHeader(StringBuilder builder, RunReport report)
    {
        builder.Append("## GradDiag report: ").AppendLine(Inline(report.Run)).AppendLine();
        builder.Append("**Verdict: ").Append(ReportText.VerdictName(report.Verdict)).Append("**");
        var counts = report.Findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {ReportText.SeverityName(g.Key)}");
        builder.Append(" — ").Append(report.Findings.Count.ToString(CultureInfo.InvariantCulture)).Append(report.Findings.Count == 1 ? " finding" : " findings");
        if (report.Findings.Count > 0)
        {
            builder.Append(" (").Append(string.Join(", ", counts)).Append(')');
        }

        builder.Append(", ").Append(report.Observations.Count.ToString(CultureInfo.InvariantCulture)).Append(report.Observations.Count == 1 ? " observation" : " observations");
        if (report.FirstStep is long first && report.LastStep is long last)
        {
            builder.Append(CultureInfo.InvariantCulture, $"; steps {first}–{last} ({report.StepsObserved} observed)");
        }
        else
        {
            builder.Append("; no step observed");
        }

        if (report.Interrupted)
        {
            builder.Append("; the run was interrupted");
        }

        builder.AppendLine(".").AppendLine();
    }

    private static void AppendFindings(StringBuilder builder, RunReport report)
    {
        builder.AppendLine("### Findings").AppendLine();
        if (report.Findings.Count == 0)
        {
            builder.AppendLine("No findings.").AppendLine();
            return;
        }

        builder.AppendLine("| Severity | Kind | Layers | Steps | Message | Evidence | Remedy |");
        builder.AppendLine("|---|---|---|---|---|---|---|");
        foreach (Finding finding in report.Findings.OrderByDescending(f => f.Severity).ThenBy(f => f.FirstStep))
        {
            builder.Append("| ").Append(ReportText.SeverityName(finding.Severity))
                .Append(" | ").Append(Cell(finding.Kind.Value))
                .Append(" | ").Append(Cell(string.Join(", ", ReportText.GroupKeys(finding))))
                .Append(" | ").Append(Cell(ReportText.Steps(finding)))
                .Append(" | ").Append(Cell(finding.Message))
                .Append(" | ").Append(Cell(ReportText.KeyEvidence(finding)))
                .Append(" | ").Append(Cell(finding.Remedy))
                .AppendLine(" |");
        }

        builder.AppendLine();
    }

    private static void AppendObservations(StringBuilder builder, RunReport report)
    {
        if (report.Observations.Count == 0)
        {
            return;
        }

        builder.AppendLine("### Observations").AppendLine();
        foreach (Finding observation in report.Observations)
        {
            builder.Append("- ").Append(Inline(observation.Kind.Value)).Append(" at step ").Append(ReportText.Steps(observation)).Append(": ").AppendLine(Inline(observation.Message));
        }

        builder.AppendLine();
    }

    private static void AppendLayers(StringBuilder builder, RunReport report)
    {
        builder.AppendLine("### Layers").AppendLine();
        if (report.Layers.Count == 0)
        {
            builder.AppendLine("No layer summaries.").AppendLine();
            return;
        }

        builder.AppendLine("| Depth | Layer | Parameter | Steps | First norm | Last norm | Min | Median | Max | Non-finite steps | Worst finding |");
        builder.AppendLine("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (LayerSummary layer in report.Layers)
        {
            builder.Append(CultureInfo.InvariantCulture, $"| {layer.Depth} | {Cell(layer.Layer)} | {Cell(layer.Name)} | {layer.Steps} | ")
                .Append(ReportText.Number(layer.FirstNorm)).Append(" | ")
                .Append(ReportText.Number(layer.LastNorm)).Append(" | ")
                .Append(ReportText.Number(layer.MinNorm)).Append(" | ")
                .Append(ReportText.Number(layer.MedianNorm)).Append(" | ")
                .Append(ReportText.Number(layer.MaxNorm)).Append(" | ")
                .Append(layer.NonFiniteSteps.ToString(CultureInfo.InvariantCulture)).Append(" | ")
                .Append(layer.WorstSeverity is Severity worst ? ReportText.SeverityName(worst) : "—")
                .AppendLine(" |");
        }

        builder.AppendLine();
    }

    /// <summary>Escapes text for a table cell: pipes are escaped and line breaks become &lt;br&gt;.</summary>
    internal static string Cell(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r\n", "<br>", StringComparison.Ordinal)
            .Replace("\n", "<br>", StringComparison.Ordinal)
            .Replace("\r", "<br>", StringComparison.Ordinal);

    private static string Inline(string text) => text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
