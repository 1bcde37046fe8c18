using System.Xml.Linq;
using GradDiag.Detectors.Reporting;
using Xunit.Abstractions;

namespace GradDiag.Detectors.Tests.Reporting;

public class FixtureReportTests(ITestOutputHelper output)
{
    [Fact]
    public void Formatters_ExplodingFixture_AgreeOnFailures()
    {
        RunReport report = Reports.FromTrace(TraceCorpus.Get("pytorch_exploding"));

        string markdown = MarkdownReportFormatter.Format(report);
        XDocument junit = XDocument.Parse(JUnitReportFormatter.Format(report, Severity.Error));
        IReadOnlyList<string> annotations = GitHubAnnotationsFormatter.Format(report, Severity.Error, "runs/pytorch_exploding");
        output.WriteLine(markdown);
        output.WriteLine(string.Join(Environment.NewLine, annotations));

        report.Verdict.Should().Be(Verdict.Failing);
        ReportExitCodes.For(report, Severity.Error).Should().Be(1);
        annotations.Should().HaveCount(report.Findings.Count);
        ((int)junit.Root!.Attribute("failures")!).Should().Be(report.Findings.Count);
        markdown.Should().Contain("| error | exploding | dense |");
    }

    [Fact]
    public void Formatters_HealthyFixture_PassEverywhere()
    {
        RunReport report = Reports.FromTrace(TraceCorpus.Get("keras_healthy"));

        XDocument junit = XDocument.Parse(JUnitReportFormatter.Format(report, Severity.Information));
        output.WriteLine(MarkdownReportFormatter.Format(report));

        report.Verdict.Should().Be(Verdict.Healthy);
        report.Observations.Should().HaveCount(2);
        ReportExitCodes.For(report, Severity.Information).Should().Be(0);
        ((int)junit.Root!.Attribute("failures")!).Should().Be(0);
        ((int)junit.Root!.Attribute("tests")!).Should().Be(6 * 6);
        GitHubAnnotationsFormatter.Format(report, Severity.Information).Should().BeEmpty();
    }
}
