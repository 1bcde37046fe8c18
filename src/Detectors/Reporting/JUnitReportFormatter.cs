using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace GradDiag.Detectors.Reporting;

/// <summary>Writes a <see cref="RunReport"/> as JUnit XML, which CI systems show as test results.</summary>
/// <remarks>
/// There is one <c>testsuite</c> per detector and one <c>testcase</c> per detector and layer (or other series,
/// such as <c>loss</c> or <c>global</c>). A test case fails when a finding of that group is at or above the
/// threshold; its <c>failure</c> element carries the worst finding's message as <c>message</c>, its kind as
/// <c>type</c>, and every failing finding with its evidence as text. Findings below the threshold go to the test
/// case's <c>system-out</c>. Every suite and the root carry <c>tests</c>, <c>failures</c>, <c>errors</c>
/// (always 0), <c>skipped</c> (always 0) and <c>time</c> (always 0, because detection has no duration of its own).
/// Characters that XML 1.0 cannot hold are replaced with U+FFFD.
/// </remarks>
public static class JUnitReportFormatter
{
    /// <summary>The names of the built-in detectors, which always get a test suite so that a passing run lists them too.</summary>
    private static readonly string[] DefaultDetectorNames =
    [
        NonFiniteDetectorConstants.DefaultName,
        ExplodingDetectorConstants.DefaultName,
        VanishingDetectorConstants.DefaultName,
        DeadLayerDetectorConstants.DefaultName,
        FrozenDetectorConstants.DefaultName,
        UpdateRatioDetectorConstants.DefaultName,
    ];

    /// <summary>Returns the report as a JUnit XML document.</summary>
    /// <param name="report">The report.</param>
    /// <param name="threshold">The lowest severity that fails a test case.</param>
    /// <param name="detectorNames">The detectors to list as suites even without findings; null for the built-in detectors.</param>
    /// <returns>The document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static XDocument Build(RunReport report, Severity threshold, IEnumerable<string>? detectorNames = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var detectors = new List<string>();
        foreach (string name in (detectorNames ?? DefaultDetectorNames).Concat(report.Findings.Select(f => f.Detector)))
        {
            if (!detectors.Contains(name, StringComparer.Ordinal))
            {
                detectors.Add(name);
            }
        }

        var layers = report.Layers.Select(l => l.Layer).Distinct(StringComparer.Ordinal).ToList();
        string timestamp = report.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var suites = new List<XElement>();
        foreach (string detector in detectors)
        {
            suites.Add(BuildSuite(report, detector, layers, threshold, timestamp));
        }

        var root = new XElement(
            "testsuites",
            new XAttribute("name", Clean("graddiag " + report.Run)),
            new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", 0),
            new XAttribute("skipped", 0),
            new XAttribute("time", "0"),
            suites);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>Returns the report as JUnit XML text.</summary>
    /// <param name="report">The report.</param>
    /// <param name="threshold">The lowest severity that fails a test case.</param>
    /// <param name="detectorNames">The detectors to list as suites even without findings; null for the built-in detectors.</param>
    /// <returns>The XML text, with an XML declaration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static string Format(RunReport report, Severity threshold, IEnumerable<string>? detectorNames = null)
    {
        XDocument document = Build(report, threshold, detectorNames);
        var builder = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using (var writer = new Utf8StringWriter(builder))
        using (var xml = XmlWriter.Create(writer, settings))
        {
            document.Save(xml);
        }

        return builder.AppendLine().ToString();
    }

    private static XElement BuildSuite(RunReport report, string detector, List<string> layers, Severity threshold, string timestamp)
    {
        var findings = report.Findings.Where(f => f.Detector == detector).ToList();
        var keys = new List<string>(layers);
        foreach (Finding finding in findings)
        {
            foreach (string key in ReportText.GroupKeys(finding))
            {
                if (!keys.Contains(key, StringComparer.Ordinal))
                {
                    keys.Add(key);
                }
            }
        }

        if (keys.Count == 0)
        {
            keys.Add("run");
        }

        var cases = new List<XElement>();
        int failures = 0;
        foreach (string key in keys)
        {
            var group = findings.Where(f => ReportText.GroupKeys(f).Contains(key, StringComparer.Ordinal)).ToList();
            XElement testCase = BuildCase(report, detector, key, group, threshold);
            if (testCase.Element("failure") is not null)
            {
                failures++;
            }

            cases.Add(testCase);
        }

        return new XElement(
            "testsuite",
            new XAttribute("name", Clean($"graddiag.{detector}")),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0),
            new XAttribute("skipped", 0),
            new XAttribute("time", "0"),
            new XAttribute("timestamp", timestamp),
            cases);
    }

    private static XElement BuildCase(RunReport report, string detector, string key, List<Finding> group, Severity threshold)
    {
        var testCase = new XElement(
            "testcase",
            new XAttribute("name", Clean(key)),
            new XAttribute("classname", Clean($"graddiag.{report.Run}.{detector}")),
            new XAttribute("time", "0"));
        var failing = group.Where(f => f.Severity >= threshold).OrderByDescending(f => f.Severity).ThenBy(f => f.FirstStep).ToList();
        if (failing.Count > 0)
        {
            Finding worst = failing[0];
            testCase.Add(new XElement(
                "failure",
                new XAttribute("message", Clean($"[{ReportText.SeverityName(worst.Severity)}] {worst.Message}")),
                new XAttribute("type", Clean(worst.Kind.Value)),
                Clean(Describe(failing))));
        }

        var passing = group.Where(f => f.Severity < threshold).ToList();
        if (passing.Count > 0)
        {
            testCase.Add(new XElement("system-out", Clean(Describe(passing))));
        }

        return testCase;
    }

    private static string Describe(List<Finding> findings)
    {
        var builder = new StringBuilder();
        foreach (Finding finding in findings)
        {
            builder.Append('[').Append(ReportText.SeverityName(finding.Severity)).Append("] ").Append(finding.Id)
                .Append(" steps ").AppendLine(ReportText.Steps(finding));
            builder.AppendLine(finding.Message);
            string evidence = ReportText.KeyEvidence(finding);
            if (evidence.Length > 0)
            {
                builder.Append("Evidence: ").AppendLine(evidence);
            }

            if (finding.Remedy.Length > 0)
            {
                builder.Append("Remedy: ").AppendLine(finding.Remedy);
            }
        }

        return builder.ToString();
    }

    /// <summary>Replaces characters that XML 1.0 cannot contain (most control characters, lone surrogates) with U+FFFD.</summary>
    internal static string Clean(string text)
    {
        StringBuilder? builder = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool valid;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            valid = !char.IsSurrogate(c) && XmlConvert.IsXmlChar(c);
            if (!valid)
            {
                builder ??= new StringBuilder(text, 0, i, text.Length);
                builder.Append('\uFFFD');
            }
            else
            {
                builder?.Append(c);
            }
        }

        return builder?.ToString() ?? text;
    }

    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
