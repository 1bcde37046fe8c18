using System.Buffers.Binary;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Plotting;

namespace GradDiag.Cli.Tests;

public class PlotTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static GradientFlowData SampleData()
    {
        string[] layers = ["fc1.weight", "fc2.weight", "fc3.weight", "out.weight"];
        long[] steps = Enumerable.Range(0, 60).Select(i => (long)i * 5).ToArray();
        var norms = new double[layers.Length, steps.Length];
        for (int layer = 0; layer < layers.Length; layer++)
        {
            for (int step = 0; step < steps.Length; step++)
            {
                // The input side shrinks over the run, as vanishing gradients do; one value is missing.
                norms[layer, step] = Math.Pow(10, -0.5 - ((layers.Length - 1 - layer) * step / 20.0));
            }
        }

        norms[1, 10] = double.NaN;
        return new GradientFlowData(layers, steps, norms);
    }

    private static readonly FindingMarker[] Findings =
    [
        new("vanishing", Severity.Error, 100, 295, ["fc1"]),
        new("spike", Severity.Information, 150, 150, []),
    ];

    internal static (int Width, int Height) ReadPngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[..8].Should().Equal(PngSignature);
        System.Text.Encoding.ASCII.GetString(bytes, 12, 4).Should().Be("IHDR");
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    [Theory]
    [InlineData("Both", 1200, 900)]
    [InlineData("Heatmap", 800, 400)]
    [InlineData("Curves", 640, 480)]
    public void SavePng_RequestedSize(string kindName, int width, int height)
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "flow.png");

        PlotKind kind = Enum.Parse<PlotKind>(kindName);
        GradientFlowPlot.SavePng(SampleData(), Findings, kind, path, width, height);

        (int actualWidth, int actualHeight) = ReadPngSize(path);
        actualWidth.Should().Be(width);
        actualHeight.Should().Be(height);
    }

    [Fact]
    public void SavePng_AllMissingStillRenders()
    {
        var data = new GradientFlowData(["a"], [0, 1], new double[,] { { double.NaN, 0 } });
        string path = Path.Combine(TestPaths.NewTempFolder(), "empty.png");

        GradientFlowPlot.SavePng(data, [], PlotKind.Both, path, 300, 200);

        ReadPngSize(path).Should().Be((300, 200));
    }

    [Fact]
    public void SavePng_SingleStepSingleLayer()
    {
        var data = new GradientFlowData(["only.weight"], [42], new double[,] { { 0.01 } });
        string path = Path.Combine(TestPaths.NewTempFolder(), "single.png");

        GradientFlowPlot.SavePng(data, [new FindingMarker("spike", Severity.Warning, 42, 42, [])], PlotKind.Both, path, 400, 300);

        ReadPngSize(path).Should().Be((400, 300));
    }

    [Fact]
    public void SavePng_TooSmallRejected()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "small.png");

        FluentActions.Invoking(() => GradientFlowPlot.SavePng(SampleData(), [], PlotKind.Both, path, 50, 300))
            .Should().Throw<ArgumentOutOfRangeException>();
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void Log10OrNaN_Cases()
    {
        GradientFlowPlot.Log10OrNaN(1000).Should().Be(3);
        double.IsNaN(GradientFlowPlot.Log10OrNaN(0)).Should().BeTrue();
        double.IsNaN(GradientFlowPlot.Log10OrNaN(double.PositiveInfinity)).Should().BeTrue();
    }

    [Fact]
    public void Data_MismatchedMatrixRejected()
    {
        FluentActions.Invoking(() => new GradientFlowData(["a", "b"], [0, 1], new double[1, 2]))
            .Should().Throw<ArgumentException>().WithMessage("*1 x 2*2 layers*");
    }

    [Fact]
    public void SliceSteps_KeepsRange()
    {
        GradientFlowData slice = SampleData().SliceSteps(10, 20);

        slice.Steps.Should().Equal(10L, 15L, 20L);
        slice.Norms.GetLength(1).Should().Be(3);
    }

    [Fact]
    public async Task PlotCommand_WritesPngWithFindings()
    {
        string folder = TestPaths.NewTempFolder();
        string path = Path.Combine(folder, "plots", "run.png");
        var engines = new CliEngines
        {
            LogReader = new FakeLogReader(new GradientRunLog("run1", SampleData())),
            Analyzer = new FakeAnalyzer(TestData.Finding(Severity.Error)),
        };

        CliResult result = await CliHarness.RunAsync(engines, "plot", folder, "--out", path, "--width", "500", "--height", "400");

        result.ExitCode.Should().Be(0, result.Error);
        ReadPngSize(path).Should().Be((500, 400));
        result.Output.Should().Contain("4 series, 60 steps, 1 findings marked");
    }

    [Fact]
    public async Task PlotCommand_SeveralRunsNeedRun()
    {
        string folder = TestPaths.NewTempFolder();
        var engines = new CliEngines { LogReader = new FakeLogReader(TestData.Log("a"), TestData.Log("b")) };

        CliResult result = await CliHarness.RunAsync(engines, "plot", folder, "--out", Path.Combine(folder, "p.png"), "--no-findings");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("2 runs (a, b)").And.Contain("--run");
    }
}
