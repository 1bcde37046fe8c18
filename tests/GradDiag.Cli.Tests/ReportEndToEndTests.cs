using System.Text.Json;
using System.Xml.Linq;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Detectors.Reporting;

namespace GradDiag.Cli.Tests;

/// <summary>graddiag report with the wired engines on event files written by PyTorch and Keras.</summary>
public class ReportEndToEndTests
{
    private static Task<CliResult> ReportAsync(params string[] args) =>
        CliHarness.RunAsync(DefaultEngines.Create(), ["report", .. args]);

    private static async Task<List<RunReport>> JsonReportsAsync(string fixture, int expectedExitCode)
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents(fixture), "--format", "json");
        result.ExitCode.Should().Be(expectedExitCode, result.Error);
        using JsonDocument document = JsonDocument.Parse(result.Output);
        return document.RootElement.EnumerateArray().Select(run => JsonReportFormatter.Parse(run.GetRawText())).ToList();
    }

    [Fact]
    public async Task PytorchHealthy_ExitsZero()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("pytorch_healthy"));

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("pytorch_healthy: healthy (0 findings, steps 0-199)");
        result.Output.Should().Contain("dense_5.weight");
        result.Error.Should().BeEmpty();
    }

    [Fact]
    public async Task KerasHealthy_TrainRunHealthy()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("keras_healthy"));

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("keras_healthy/train: healthy (0 findings, steps 0-199)");
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("keras_healthy/validation").And.Contain("epoch_loss");
    }

    [Theory]
    [InlineData("pytorch_vanishing", "pytorch_vanishing")]
    [InlineData("keras_vanishing", "keras_vanishing/train")]
    public async Task Vanishing_InputSideLayersFlagged(string fixture, string run)
    {
        List<RunReport> reports = await JsonReportsAsync(fixture, ExitCodes.FindingsAtOrAboveThreshold);

        RunReport report = reports.Should().ContainSingle().Subject;
        report.Run.Should().Be(run);
        report.Verdict.Should().Be(Verdict.Failing);
        report.Findings.Should().OnlyContain(f => f.Kind == FindingKind.Vanishing && f.Severity == Severity.Error);
        report.Findings.SelectMany(f => f.Layers).Should().Contain("dense").And.NotContain("dense_5");
        report.StepsObserved.Should().Be(200);
    }

    [Theory]
    [InlineData("pytorch_exploding")]
    [InlineData("keras_exploding")]
    public async Task Exploding_EveryLayerAndGlobal(string fixture)
    {
        List<RunReport> reports = await JsonReportsAsync(fixture, ExitCodes.FindingsAtOrAboveThreshold);

        RunReport report = reports.Should().ContainSingle().Subject;
        report.Findings.Should().OnlyContain(f => f.Kind == FindingKind.Exploding);
        report.Findings.Should().HaveCount(7, "each of the six layers and the global norm explodes");
        report.Findings.Min(f => f.FirstStep).Should().BeInRange(60, 80, "the norms are steady for 60 steps, then grow");
    }

    [Fact]
    public async Task Damaged_ReportedNotCrashed()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("damaged"));

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Error.Should().Contain("bitflip.events.out.tfevents.1").And.Contain("offset 4962");
        result.Error.Should().Contain("truncated.events.out.tfevents.1");
        result.Output.Should().Contain("damaged: healthy");
    }

    [Fact]
    public async Task TruncatedAlone_LastStepWithoutLossLeftOut()
    {
        string folder = TestPaths.NewTempFolder();
        File.Copy(Path.Combine(TestPaths.TfEvents("damaged"), "truncated.events.out.tfevents.1"), Path.Combine(folder, "events.out.tfevents.1"));

        CliResult result = await ReportAsync(folder);

        result.ExitCode.Should().Be(ExitCodes.Success, result.Output + result.Error);
        result.Error.Should().Contain("ends inside a record");
        result.Output.Should().Contain("healthy (0 findings, steps 0-198)");
        result.Error.Should().Contain("after step 198 have gradient norms but no loss record");
    }

    [Fact]
    public async Task ValidationOnly_SaysWhichTagsExist()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("keras_vanishing/validation"));

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        string line = result.ErrorLines.Should().ContainSingle().Subject;
        line.Should().Contain("No gradient-norm series");
        line.Should().Contain("epoch_loss (scalar)");
        line.Should().Contain("--tags");
    }

    [Fact]
    public async Task CustomTags_MatchParameterNames()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("pytorch_vanishing"), "--tags", "grad_norm/dense_*.weight", "--format", "json");

        result.ExitCode.Should().Be(ExitCodes.FindingsAtOrAboveThreshold, result.Error);
        using JsonDocument document = JsonDocument.Parse(result.Output);
        RunReport report = JsonReportFormatter.Parse(document.RootElement[0].GetRawText());
        report.Layers.Select(l => l.Name).Should().Equal("1", "2", "3", "4", "5");
    }

    [Fact]
    public async Task UnmatchedTags_ExitsTwo()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("pytorch_healthy"), "--tags", "nothing/*");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("nothing/*").And.Contain("grad_norm/dense.weight (scalar)");
    }

    [Fact]
    public async Task NoEventFiles_ExitsTwo()
    {
        CliResult result = await ReportAsync(TestPaths.NewTempFolder());

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("no event files");
    }

    [Fact]
    public async Task JUnit_FailuresCounted()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("keras_exploding"), "--format", "junit");

        result.ExitCode.Should().Be(ExitCodes.FindingsAtOrAboveThreshold, result.Error);
        XElement root = XDocument.Parse(result.Output).Root!;
        root.Name.LocalName.Should().Be("testsuites");
        ((int)root.Attribute("failures")!).Should().Be(7);
        root.Elements("testsuite").Should().Contain(s => (string)s.Attribute("name")! == "graddiag.exploding");
    }

    [Fact]
    public async Task JUnit_FailOnNeverHasNoFailures()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("keras_exploding"), "--format", "junit", "--fail-on", "never");

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        ((int)XDocument.Parse(result.Output).Root!.Attribute("failures")!).Should().Be(0);
    }

    [Fact]
    public async Task GitHub_OneErrorPerFinding()
    {
        CliResult result = await ReportAsync(TestPaths.TfEvents("pytorch_vanishing"), "--format", "github");

        result.ExitCode.Should().Be(ExitCodes.FindingsAtOrAboveThreshold, result.Error);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(4);
        lines.Should().OnlyContain(l => l.StartsWith("::error ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Markdown_ToFile()
    {
        string file = Path.Combine(TestPaths.NewTempFolder(), "summary.md");

        CliResult result = await ReportAsync(TestPaths.TfEvents("pytorch_vanishing"), "--format", "markdown", "--output", file);

        result.ExitCode.Should().Be(ExitCodes.FindingsAtOrAboveThreshold, result.Error);
        string markdown = File.ReadAllText(file);
        markdown.Should().Contain("pytorch_vanishing");
        markdown.Should().Contain("| error |");
    }

    [Theory]
    [InlineData("grad_norm/*", "^grad_norm/(?<parameter>.+)$")]
    [InlineData("gradients/*/norm", "^gradients/(?<parameter>.+)/norm$")]
    [InlineData("*/grad/*", "^.*/grad/(?<parameter>.+)$")]
    [InlineData("total_norm", "^total_norm$")]
    [InlineData("a.b", @"^a\.b$")]
    public void TagPatterns_ToRegex(string glob, string regex)
    {
        Logs.TagPatterns.ToRegex(glob).Should().Be(regex);
    }
}
