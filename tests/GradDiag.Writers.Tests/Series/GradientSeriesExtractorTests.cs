using GradDiag.Writers.Reading;
using GradDiag.Writers.Series;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Writers.Tests.Series;

public sealed class GradientSeriesExtractorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Extract_Pytorch_FindsSixLayersInDepthOrder()
    {
        TensorBoardRunData run = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture("pytorch_healthy")).Single();

        GradientSeries series = GradientSeriesExtractor.Extract(run);

        series.Parameters.Select(p => p.Name).Should().Equal("dense.weight", "dense_1.weight", "dense_2.weight", "dense_3.weight", "dense_4.weight", "dense_5.weight");
        series.Parameters.Select(p => p.Layer).Should().Equal("dense", "dense_1", "dense_2", "dense_3", "dense_4", "dense_5");
        series.Parameters.Select(p => p.Depth).Should().Equal(0, 1, 2, 3, 4, 5);
        series.NormTags[0].Should().Be("grad_norm/dense.weight");
        series.LossTag.Should().Be("loss");
        series.GlobalNormTag.Should().BeNull();
        series.Steps.Should().HaveCount(200);
    }

    [Fact]
    public void Extract_Pytorch_YieldsOneStepStatisticsPerStep()
    {
        TensorBoardRunData run = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture("pytorch_healthy")).Single();

        List<StepStatistics> steps = GradientSeriesExtractor.Extract(run).EnumerateSteps().ToList();

        steps.Should().HaveCount(200);
        steps[0].Step.Should().Be(0);
        steps[0].Loss.Should().Be(2);
        double.IsNaN(steps[0].GlobalNorm).Should().BeTrue();
        steps[0].PerParameter[0].L2Norm.Should().BeApproximately(0.5500922799110413, 1e-12);
        steps[37].PerParameter[4].L2Norm.Should().BeApproximately(26.80284881591797, 1e-9);
        steps[199].Step.Should().Be(199);
    }

    [Fact]
    public void Extract_KerasTrain_FindsSixLayersAndEpochLoss()
    {
        TensorBoardRunData train = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture("keras_vanishing")).First(r => r.Run.Name == "train");

        GradientSeries series = GradientSeriesExtractor.Extract(train);

        series.Parameters.Select(p => p.Name).Should().Equal("dense/kernel:0", "dense_1/kernel:0", "dense_2/kernel:0", "dense_3/kernel:0", "dense_4/kernel:0", "dense_5/kernel:0");
        series.Parameters.Select(p => p.Depth).Should().Equal(0, 1, 2, 3, 4, 5);
        series.LossTag.Should().Be("epoch_loss");
        List<StepStatistics> steps = series.EnumerateSteps().ToList();
        steps.Should().HaveCount(200);
        steps[20].Loss.Should().NotBe(double.NaN);
        double.IsNaN(steps[21].Loss).Should().BeTrue("epoch_loss is written every 20 steps");
    }

    [Fact]
    public void Extract_ValidationRun_IsEmptyAndListsTags()
    {
        TensorBoardRunData validation = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture("keras_healthy")).First(r => r.Run.Name == "validation");

        GradientSeries series = GradientSeriesExtractor.Extract(validation);

        series.IsEmpty.Should().BeTrue();
        series.AvailableTags.Should().Equal("epoch_loss (scalar)");
    }

    public static TheoryData<string, bool, string?> Tags => new()
    {
        { "grad_norm/fc1.weight", true, "fc1.weight" },
        { "gradients/conv1/norm", true, "conv1" },
        { "conv1/grad_norm", true, "conv1" },
        { "grad_2.0_norm/layer.0.weight", true, "layer.0.weight" },
        { "Grad_Norm/FC1", true, "FC1" },
        { "gradient_norm/dense/kernel", true, "dense/kernel" },
        { "grad_norm", true, null },
        { "train/grad_norm", true, null },
        { "global_norm/gradient_norm", true, null },
        { "total_norm", true, null },
        { "gradients/norm", true, null },
        { "grad_2.0_norm_total", true, null },
        { "grad_norm/total", true, null },
        { "loss", false, null },
        { "dense/kernel_0/histogram", false, null },
        { "weight_norm/fc1", false, null },
    };

    [Theory]
    [MemberData(nameof(Tags))]
    public void Classify_DefaultPatterns_Recognises(string tag, bool matched, string? parameter)
    {
        TensorBoardRunData run = ReadRun(writer => writer.WriteScalar(tag, 1, 1.0));

        GradientSeries series = GradientSeriesExtractor.Extract(run);

        series.IsEmpty.Should().Be(!matched);
        if (parameter is null)
        {
            series.Parameters.Should().BeEmpty();
        }
        else
        {
            series.Parameters.Single().Name.Should().Be(parameter);
        }
    }

    [Fact]
    public void Extract_LearningRateAndClipped_AreExcluded()
    {
        TensorBoardRunData run = ReadRun(writer =>
        {
            writer.WriteScalar("grad_norm/learning_rate", 1, 1);
            writer.WriteScalar("global_norm/clipped_gradient_norm", 1, 1);
        });

        GradientSeriesExtractor.Extract(run).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Extract_NaturalSort_OrdersNumbersByValue()
    {
        TensorBoardRunData run = ReadRun(writer =>
        {
            foreach (string layer in new[] { "layer10", "layer2", "layer1", "dense_1", "dense" })
            {
                writer.WriteScalar($"grad_norm/{layer}", 1, 1);
            }
        });

        GradientSeries series = GradientSeriesExtractor.Extract(run);

        series.Parameters.Select(p => p.Name).Should().Equal("dense", "dense_1", "layer1", "layer2", "layer10");
    }

    [Fact]
    public void Extract_ParameterTable_SetsDepthAndShape()
    {
        const string Table = "| name | layer | depth | shape | trainable |\n|---|---|---|---|---|\n| head.weight | head | 0 | [10, 4] | true |\n| body.weight | body | 1 | [4, 4] | false |\n";
        TensorBoardRunData run = ReadRun(writer =>
        {
            writer.WriteText("graddiag/parameters", 0, Table);
            writer.WriteScalar("grad_norm/body.weight", 1, 2);
            writer.WriteScalar("grad_norm/head.weight", 1, 3);
            writer.WriteScalar("grad_norm_global", 1, 4);
        });

        GradientSeries series = GradientSeriesExtractor.Extract(run);

        series.Parameters.Select(p => p.Name).Should().Equal("head.weight", "body.weight");
        series.Parameters[0].Shape.Should().Equal(10, 4);
        series.Parameters[1].IsTrainable.Should().BeFalse();
        series.GlobalNormTag.Should().Be("grad_norm_global");
        series.EnumerateSteps().Single().GlobalNorm.Should().Be(4);
    }

    [Fact]
    public void Extract_CustomPattern_ReplacesDefaults()
    {
        TensorBoardRunData run = ReadRun(writer =>
        {
            writer.WriteScalar("monitor/gn/fc1", 1, 1);
            writer.WriteScalar("grad_norm/fc2", 1, 1);
        });
        var options = new GradientSeriesOptions();
        options.NormTagPatterns.Add("^monitor/gn/(?<parameter>.+)$");

        GradientSeries series = GradientSeriesExtractor.Extract(run, options);

        series.Parameters.Select(p => p.Name).Should().Equal("fc1");
    }

    [Fact]
    public void Extract_InvalidPattern_ThrowsNamingIt()
    {
        TensorBoardRunData run = ReadRun(writer => writer.WriteScalar("x", 1, 1));
        var options = new GradientSeriesOptions();
        options.NormTagPatterns.Add("(unclosed");

        Action extract = () => GradientSeriesExtractor.Extract(run, options);

        extract.Should().Throw<ArgumentException>().WithMessage("*'(unclosed'*");
    }

    private TensorBoardRunData ReadRun(Action<TensorBoardSummaryWriter> write)
    {
        string run = Guid.NewGuid().ToString("N");
        var writer = new TensorBoardSummaryWriter(new TensorBoardWriterOptions { LogDirectory = _folder.Path, RunName = run });
        write(writer);
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        TensorBoardRun found = TensorBoardLogReader.ScanLogDirectory(Path.Combine(_folder.Path, run)).Runs.Single();
        return new TensorBoardLogReader().ReadRun(found);
    }
}
