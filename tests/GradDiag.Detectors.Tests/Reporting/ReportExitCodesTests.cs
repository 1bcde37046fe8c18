using GradDiag.Detectors.Reporting;

namespace GradDiag.Detectors.Tests.Reporting;

public class ReportExitCodesTests
{
    [Theory]
    [InlineData(Severity.Information, 1)]
    [InlineData(Severity.Warning, 1)]
    [InlineData(Severity.Error, 0)]
    [InlineData(Severity.Critical, 0)]
    public void For_WarningFinding_DependsOnThreshold(Severity threshold, int expected)
    {
        RunReport report = Reports.Sample(Reports.Finding("vanishing:fc0", Severity.Warning, detector: "vanishing", layer: "fc0"));

        ReportExitCodes.For(report, threshold).Should().Be(expected);
    }

    [Fact]
    public void For_ClosedErrorFinding_StillFails()
    {
        RunReport report = Reports.Sample(Reports.Finding("exploding:fc1", Severity.Error, closedAt: 50));

        ReportExitCodes.For(report, Severity.Error).Should().Be(ReportExitCodes.FindingsAtOrAboveThreshold);
    }

    [Fact]
    public void For_OnlyObservations_IsHealthy()
    {
        ReportExitCodes.For(Reports.Sample(), Severity.Information).Should().Be(ReportExitCodes.Healthy);
    }

    [Theory]
    [InlineData("info", Severity.Information)]
    [InlineData("Information", Severity.Information)]
    [InlineData("WARNING", Severity.Warning)]
    [InlineData(" error ", Severity.Error)]
    [InlineData("critical", Severity.Critical)]
    public void TryParseThreshold_KnownName_Parses(string text, Severity expected)
    {
        ReportExitCodes.TryParseThreshold(text, out Severity severity).Should().BeTrue();
        severity.Should().Be(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fatal")]
    [InlineData("2")]
    public void TryParseThreshold_UnknownName_Fails(string? text)
    {
        ReportExitCodes.TryParseThreshold(text, out _).Should().BeFalse();
    }
}
