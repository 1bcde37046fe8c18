using GradDiag.Detectors.Reporting;

namespace GradDiag.Detectors.Tests.Reporting;

public class MarkdownReportFormatterTests
{
    [Fact]
    public void Format_FailingReport_ShowsVerdictFindingsAndLayers()
    {
        RunReport report = Reports.Sample(Reports.Finding("exploding:fc1", Severity.Error, "Norm rose to 1e3."));

        string markdown = MarkdownReportFormatter.Format(report);

        markdown.Should().Contain("## GradDiag report: runs/sample");
        markdown.Should().Contain("**Verdict: failing** — 1 finding (1 error), 1 observation; steps 0–99 (100 observed).");
        markdown.Should().Contain("| error | exploding | fc1 | 10–20 (open) | Norm rose to 1e3. | baseline=0.5, threshold=5 | Lower the learning rate. |");
        markdown.Should().Contain("| 1 | fc1 | fc1.weight | 100 | 0.6 | Infinity | NaN | NaN | NaN | 3 | error |");
        markdown.Should().Contain("- spike at step 10–20: spike");
    }

    [Fact]
    public void Format_HealthyReport_SaysNoFindings()
    {
        string markdown = MarkdownReportFormatter.Format(Reports.Sample());

        markdown.Should().Contain("**Verdict: healthy** — 0 findings, 1 observation");
        markdown.Should().Contain("No findings.");
    }

    [Fact]
    public void Format_PipeAndNewlineInMessage_AreEscaped()
    {
        RunReport report = Reports.Sample(Reports.Finding("exploding:fc1", Severity.Error, "a|b\nc"));

        string markdown = MarkdownReportFormatter.Format(report);

        markdown.Should().Contain("| a\\|b<br>c |");
    }
}
