using System.Text.Json;
using GradDiag.Detectors.Reporting;

namespace GradDiag.Detectors.Tests.Reporting;

public class JsonReportFormatterTests
{
    [Fact]
    public void Parse_FormattedReport_RoundTrips()
    {
        RunReport report = Reports.Sample(Reports.Finding("exploding:fc1", Severity.Error), Reports.Finding("vanishing:fc0", Severity.Warning, detector: "vanishing", layer: "fc0", closedAt: 30));

        RunReport parsed = JsonReportFormatter.Parse(JsonReportFormatter.Format(report));

        parsed.Should().BeEquivalentTo(report);
        parsed.Verdict.Should().Be(Verdict.Failing);
        parsed.Findings[1].IsOpen.Should().BeFalse();
        parsed.Findings[0].Evidence.Values["slope_log10_per_step"].Should().Be(double.NaN);
        parsed.Findings[0].Evidence.Window[1].Value.Should().Be(double.PositiveInfinity);
    }

    [Fact]
    public void Format_Report_UsesDocumentedFieldNames()
    {
        RunReport report = Reports.Sample(Reports.Finding("exploding:fc1", Severity.Critical));

        using JsonDocument document = JsonDocument.Parse(JsonReportFormatter.Format(report));

        JsonElement root = document.RootElement;
        root.GetProperty("schemaVersion").GetInt32().Should().Be(1);
        root.GetProperty("verdict").GetString().Should().Be("failing");
        JsonElement finding = root.GetProperty("findings")[0];
        finding.GetProperty("severity").GetString().Should().Be("critical");
        finding.GetProperty("kind").GetString().Should().Be("exploding");
        finding.GetProperty("isOpen").GetBoolean().Should().BeTrue();
        finding.GetProperty("evidence").GetProperty("values").GetProperty("absolute_ceiling").GetString().Should().Be("Infinity");
        root.GetProperty("layers")[1].GetProperty("lastNorm").GetString().Should().Be("Infinity");
    }

    [Fact]
    public void Read_Stream_RoundTrips()
    {
        RunReport report = Reports.FromTrace(TraceCorpus.Get("exploding_then_nan"));
        using var stream = new MemoryStream();

        JsonReportFormatter.Write(report, stream);
        stream.Position = 0;
        RunReport parsed = JsonReportFormatter.Read(stream);

        parsed.Should().BeEquivalentTo(report);
    }

    [Fact]
    public void Parse_MissingSchemaVersion_Throws()
    {
        Action act = () => JsonReportFormatter.Parse("""{"run":"x"}""");

        act.Should().Throw<JsonException>().WithMessage("*schemaVersion*missing*");
    }

    [Fact]
    public void Parse_NewerSchemaVersion_Throws()
    {
        Action act = () => JsonReportFormatter.Parse("""{"schemaVersion":99,"run":"x"}""");

        act.Should().Throw<JsonException>().WithMessage("*schemaVersion 99*reads schema versions 1 to 1*");
    }

    [Fact]
    public void Parse_MissingRequiredField_Throws()
    {
        Action act = () => JsonReportFormatter.Parse("""{"schemaVersion":1}""");

        act.Should().Throw<JsonException>().WithMessage("*run*");
    }
}
