using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Plotting;

namespace GradDiag.Cli.Tests;

/// <summary>graddiag plot with the wired engines on event files written by PyTorch and Keras.</summary>
public class PlotEndToEndTests
{
    private static Task<CliResult> PlotAsync(params string[] args) =>
        CliHarness.RunAsync(DefaultEngines.Create(), ["plot", .. args]);

    [Fact]
    public async Task PytorchExploding_PngOfRequestedSize()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "exploding.png");

        CliResult result = await PlotAsync(TestPaths.TfEvents("pytorch_exploding"), "--out", path, "--width", "900", "--height", "600");

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        PlotTests.ReadPngSize(path).Should().Be((900, 600));
        result.Output.Should().Contain("6 series, 200 steps, 7 findings marked");
    }

    [Fact]
    public async Task KerasVanishing_PicksTrainRun()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "vanishing.png");

        CliResult result = await PlotAsync(TestPaths.TfEvents("keras_vanishing"), "--out", path, "--kind", "heatmap", "--width", "400", "--height", "300");

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        PlotTests.ReadPngSize(path).Should().Be((400, 300));
        result.Output.Should().Contain("6 series, 200 steps, 4 findings marked");
    }

    [Fact]
    public async Task StepRange_Sliced()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "slice.png");

        CliResult result = await PlotAsync(TestPaths.TfEvents("pytorch_healthy"), "--out", path, "--from-step", "50", "--to-step", "99", "--no-findings");

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("6 series, 50 steps, 0 findings marked");
    }

    [Fact]
    public async Task RunWithoutSeries_ExitsTwo()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "none.png");

        CliResult result = await PlotAsync(TestPaths.TfEvents("keras_healthy/validation"), "--out", path);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("epoch_loss (scalar)");
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void MergeRanges_JoinsOverlaps()
    {
        FindingMarker[] markers =
        [
            new("exploding", Severity.Error, 70, 199, ["dense"]),
            new("exploding", Severity.Error, 69, 150, ["dense_1"]),
            new("exploding", Severity.Error, 10, 10, []),
        ];

        List<(long First, long Last)> merged = GradientFlowPlot.MergeRanges(markers);

        merged.Should().Equal((10L, 10L), (69L, 199L));
    }

    [Fact]
    public void Heatmap_BoxesEveryParameterOfLayer()
    {
        var norms = new double[,] { { 1e-7, 2e-7 }, { 1e-8, 1e-8 }, { 0.5, 0.4 } };
        var data = new GradientFlowData(["fc1.weight", "fc1.bias", "fc2.weight"], [0, 1], norms);
        FindingMarker[] markers = [new("vanishing", Severity.Error, 0, 1, ["fc1"])];

        ScottPlot.Plot plot = GradientFlowPlot.CreateHeatmap(data, markers);

        plot.GetPlottables().OfType<ScottPlot.Plottables.Rectangle>().Should().HaveCount(2);
    }
}
