using System.Text;

namespace GradDiag.Detectors.Reporting;

/// <summary>Writes findings as GitHub Actions workflow commands, which show as annotations on the run and the pull request.</summary>
/// <remarks>
/// Each finding at or above the minimum severity becomes one line: <c>::error</c> for critical and error findings,
/// <c>::warning</c> for warnings and <c>::notice</c> for information. Message data escapes <c>%</c>, CR and LF as
/// <c>%25</c>, <c>%0D</c> and <c>%0A</c>; property values (<c>file</c>, <c>title</c>) also escape <c>:</c> and
/// <c>,</c> as <c>%3A</c> and <c>%2C</c>, as the workflow-command syntax requires.
/// </remarks>
public static class GitHubAnnotationsFormatter
{
    /// <summary>Returns one workflow-command line per finding at or above <paramref name="minimumSeverity"/>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="minimumSeverity">The lowest severity to annotate.</param>
    /// <param name="file">The file to attach the annotations to, for example the event file or log folder; null for none.</param>
    /// <returns>The lines, without line terminators.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static IReadOnlyList<string> Format(RunReport report, Severity minimumSeverity, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lines = new List<string>();
        foreach (Finding finding in report.Findings.Where(f => f.Severity >= minimumSeverity).OrderByDescending(f => f.Severity).ThenBy(f => f.FirstStep))
        {
            var line = new StringBuilder("::").Append(Command(finding.Severity)).Append(' ');
            if (!string.IsNullOrEmpty(file))
            {
                line.Append("file=").Append(EscapeProperty(file)).Append(',');
            }

            string title = $"GradDiag {finding.Kind.Value}: {string.Join(", ", ReportText.GroupKeys(finding))} ({report.Run})";
            line.Append("title=").Append(EscapeProperty(title)).Append("::");
            string message = finding.Remedy.Length > 0 ? $"{finding.Message}\nRemedy: {finding.Remedy}" : finding.Message;
            line.Append(EscapeData(message));
            lines.Add(line.ToString());
        }

        return lines;
    }

    /// <summary>Escapes the message part of a workflow command.</summary>
    /// <param name="text">The message.</param>
    /// <returns>The escaped text.</returns>
    public static string EscapeData(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);
    }

    /// <summary>Escapes a property value of a workflow command.</summary>
    /// <param name="text">The property value.</param>
    /// <returns>The escaped text.</returns>
    public static string EscapeProperty(string text) =>
        EscapeData(text).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    private static string Command(Severity severity) => severity switch
    {
        >= Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "notice",
    };
}
