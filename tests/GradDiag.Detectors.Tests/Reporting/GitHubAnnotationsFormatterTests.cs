using GradDiag.Detectors.Reporting;

namespace GradDiag.Detectors.Tests.Reporting;

public class GitHubAnnotationsFormatterTests
{
    [Fact]
    public void Format_Findings_MapSeverityToCommand()
    {
        RunReport report = Reports.Sample(
            Reports.Finding("non-finite:fc1", Severity.Critical, detector: "non-finite"),
            Reports.Finding("exploding:fc1", Severity.Error),
            Reports.Finding("vanishing:fc0", Severity.Warning, detector: "vanishing", layer: "fc0"),
            Reports.Finding("frozen:fc0", Severity.Information, detector: "frozen", layer: "fc0"));

        IReadOnlyList<string> lines = GitHubAnnotationsFormatter.Format(report, Severity.Information);

        lines.Select(l => l[..l.IndexOf(' ', StringComparison.Ordinal)]).Should().Equal("::error", "::error", "::warning", "::notice");
    }

    [Fact]
    public void Format_BelowMinimum_IsLeftOut()
    {
        RunReport report = Reports.Sample(Reports.Finding("vanishing:fc0", Severity.Warning, detector: "vanishing", layer: "fc0"));

        GitHubAnnotationsFormatter.Format(report, Severity.Error).Should().BeEmpty();
    }

    [Fact]
    public void Format_SpecialCharacters_AreEscaped()
    {
        RunReport report = Reports.Sample(Reports.Finding("exploding:fc1", Severity.Error, "50% up,\r\nnow: high") with { Remedy = string.Empty });

        string line = GitHubAnnotationsFormatter.Format(report, Severity.Error, "logs/run,1:a").Single();

        line.Should().Be("::error file=logs/run%2C1%3Aa,title=GradDiag exploding%3A fc1 (runs/sample)::50%25 up,%0D%0Anow: high");
    }

    [Fact]
    public void EscapeProperty_AllReservedCharacters_AreEncoded()
    {
        GitHubAnnotationsFormatter.EscapeProperty("%\r\n:,").Should().Be("%25%0D%0A%3A%2C");
    }
}
