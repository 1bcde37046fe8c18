using System.Xml.Linq;
using GradDiag.Cli.Engines;
using GradDiag.Detectors.Reporting;

namespace GradDiag.Cli.Analysis;

/// <summary>
/// Writes reports with the formatters of GradDiag.Detectors. One run or several, the output is one document:
/// JSON is an array of report objects, Markdown one section per run, JUnit XML one <c>testsuites</c> root with
/// every run's suites, and GitHub annotations one line per finding.
/// </summary>
internal sealed class DetectorReportFormatter : IReportFormatter
{
    /// <inheritdoc/>
    public void Write(IReadOnlyList<RunReport> reports, ReportFormat format, FailOnThreshold failOn, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(output);
        switch (format)
        {
            case ReportFormat.Json:
                WriteJson(reports, output);
                break;
            case ReportFormat.Markdown:
                output.Write(string.Join(Environment.NewLine, reports.Select(MarkdownReportFormatter.Format)));
                break;
            case ReportFormat.JUnit:
                WriteJUnit(reports, failOn, output);
                break;
            case ReportFormat.GitHub:
                // Every finding is annotated; the severity picks ::error, ::warning or ::notice.
                foreach (string line in reports.SelectMany(report => GitHubAnnotationsFormatter.Format(report, Severity.Information)))
                {
                    output.WriteLine(line);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Text reports are written by the command itself.");
        }
    }

    private static void WriteJson(IReadOnlyList<RunReport> reports, TextWriter output)
    {
        output.WriteLine("[");
        for (int i = 0; i < reports.Count; i++)
        {
            string json = JsonReportFormatter.Format(reports[i]);
            string indented = string.Join('\n', json.Split('\n').Select(line => "  " + line.TrimEnd('\r')));
            output.Write(indented);
            output.WriteLine(i < reports.Count - 1 ? "," : string.Empty);
        }

        output.WriteLine("]");
    }

    private static void WriteJUnit(IReadOnlyList<RunReport> reports, FailOnThreshold failOn, TextWriter output)
    {
        // With --fail-on never no finding fails a test case, so the threshold lies above every severity.
        Severity threshold = failOn.Minimum ?? Severity.Critical + 1;
        if (reports.Count == 1)
        {
            output.Write(JUnitReportFormatter.Format(reports[0], threshold));
            return;
        }

        List<XElement> suites = reports
            .SelectMany(report => JUnitReportFormatter.Build(report, threshold).Root!.Elements("testsuite"))
            .ToList();
        string name = "graddiag " + string.Join(", ", reports.Select(r => r.Run));
        var root = new XElement(
            "testsuites",
            new XAttribute("name", name),
            new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", 0),
            new XAttribute("skipped", 0),
            new XAttribute("time", "0"),
            suites);
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        output.Write(document.Declaration + Environment.NewLine + root);
        output.WriteLine();
    }
}
