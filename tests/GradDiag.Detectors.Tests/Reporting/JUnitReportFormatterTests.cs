using System.Xml.Linq;
using GradDiag.Detectors.Reporting;

namespace GradDiag.Detectors.Tests.Reporting;

public class JUnitReportFormatterTests
{
    [Fact]
    public void Format_Report_HasConsistentCounts()
    {
        RunReport report = Reports.Sample(
            Reports.Finding("exploding:fc1", Severity.Error),
            Reports.Finding("vanishing:fc0", Severity.Warning, detector: "vanishing", layer: "fc0"),
            Reports.Finding("non-finite:loss", Severity.Critical, detector: "non-finite", layer: null));

        XDocument document = XDocument.Parse(JUnitReportFormatter.Format(report, Severity.Error));

        XElement root = document.Root!;
        root.Name.LocalName.Should().Be("testsuites");
        var suites = root.Elements("testsuite").ToList();
        suites.Select(s => (string)s.Attribute("name")!).Should().Equal(
            "graddiag.non-finite", "graddiag.exploding", "graddiag.vanishing", "graddiag.dead-layer", "graddiag.frozen", "graddiag.update-ratio");
        foreach (XElement suite in suites)
        {
            ((int)suite.Attribute("tests")!).Should().Be(suite.Elements("testcase").Count());
            ((int)suite.Attribute("failures")!).Should().Be(suite.Elements("testcase").Count(c => c.Element("failure") is not null));
            ((int)suite.Attribute("errors")!).Should().Be(0);
            ((int)suite.Attribute("skipped")!).Should().Be(0);
        }

        ((int)root.Attribute("tests")!).Should().Be(6 * 2 + 1);
        ((int)root.Attribute("failures")!).Should().Be(2);
    }

    [Fact]
    public void Format_FindingAtThreshold_FailsItsCase()
    {
        RunReport report = Reports.Sample(Reports.Finding("exploding:fc1", Severity.Error, "rose"));

        XDocument document = XDocument.Parse(JUnitReportFormatter.Format(report, Severity.Error));

        XElement testCase = document.Descendants("testcase").Single(c => (string)c.Attribute("classname")! == "graddiag.runs/sample.exploding" && (string)c.Attribute("name")! == "fc1");
        XElement failure = testCase.Element("failure")!;
        ((string)failure.Attribute("message")!).Should().Be("[error] rose");
        ((string)failure.Attribute("type")!).Should().Be("exploding");
        failure.Value.Should().Contain("Remedy: Lower the learning rate.");
    }

    [Fact]
    public void Format_FindingBelowThreshold_GoesToSystemOut()
    {
        RunReport report = Reports.Sample(Reports.Finding("vanishing:fc0", Severity.Warning, "small", detector: "vanishing", layer: "fc0"));

        XDocument document = XDocument.Parse(JUnitReportFormatter.Format(report, Severity.Error));

        XElement testCase = document.Descendants("testcase").Single(c => (string)c.Attribute("name")! == "fc0" && ((string)c.Attribute("classname")!).EndsWith(".vanishing", StringComparison.Ordinal));
        testCase.Element("failure").Should().BeNull();
        testCase.Element("system-out")!.Value.Should().Contain("small");
    }

    [Fact]
    public void Format_SpecialCharacters_AreEscaped()
    {
        RunReport report = Reports.Sample(Reports.Finding("exploding:fc1", Severity.Error, "a < b & \"c\" \u0001 end"));

        string xml = JUnitReportFormatter.Format(report, Severity.Error);
        XDocument document = XDocument.Parse(xml);

        xml.Should().Contain("a &lt; b &amp; &quot;c&quot; \uFFFD end");
        ((string)document.Descendants("failure").Single().Attribute("message")!).Should().Be("[error] a < b & \"c\" \uFFFD end");
    }
}
