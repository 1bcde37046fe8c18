using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

/// <summary>
/// Pooling gradients. MaxPool runs in float64 (ONNX Runtime 1.32 has float64 MaxPool with Indices);
/// AveragePool and GlobalAveragePool have no float64 CPU kernels and use the float32 tolerances.
/// </summary>
public class PoolingGradientTests
{
    private static GradientCheckResult CheckPool(string opType, int opset, int elementType, long[] xDims, bool unknownSize, params AttributeProto[] attributes)
    {
        var g = new GraphBuilder(opset, elementType);

        // Evenly spaced values in [-1, 1) in shuffled order. The spacing (at least 9e-3 for these shapes)
        // exceeds the float32 finite-difference step of 5e-3, so no MaxPool winner flips during the check.
        var count = TestData.Count(xDims);
        var spacing = Math.Min(0.05, 2.0 / count);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(51).Shuffle(order);
        var x = g.Initializer("x", xDims, order.Select(i => -1 + (spacing * i)).ToArray());
        var input = x;
        if (unknownSize)
        {
            // An identity 1x1 Conv hides the spatial size from type inference and leaves the values unchanged.
            var channels = (int)xDims[1];
            long[] mixDims = [channels, channels, .. Enumerable.Repeat(1L, xDims.Length - 2)];
            var identity = Enumerable.Range(0, channels * channels).Select(i => i / channels == i % channels ? 1.0 : 0.0).ToArray();
            var mix = g.Initializer("mix", mixDims, identity);
            input = g.Node("Conv", [x, mix]);
        }

        var y = g.Node(opType, [input], attributes);
        var loss = ConvolutionGradientTests.TanhSum(g, y);
        return GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);
    }

    [Fact]
    public void MaxPool_opset13_disjoint_windows_match()
    {
        var result = CheckPool("MaxPool", 13, DataTypes.Double, [2, 3, 6, 6], false, Attributes.Ints("kernel_shape", [2, 2]), Attributes.Ints("strides", [2, 2]));

        GradientChecker.AssertClose(result, DataTypes.Double);
        result.TrainingModel.Proto.Graph.Node.Should().Contain(n => n.OpType == "ScatterElements");
    }

    [Fact]
    public void MaxPool_opset13_overlapping_windows_match()
    {
        // No scatter-add before opset 16: overlapping windows take the one-hot MatMul path.
        var result = CheckPool("MaxPool", 13, DataTypes.Double, [2, 2, 5, 5], false, Attributes.Ints("kernel_shape", [3, 3]), Attributes.Ints("pads", [1, 1, 1, 1]));

        GradientChecker.AssertClose(result, DataTypes.Double);
        result.TrainingModel.Proto.Graph.Node.Should().Contain(n => n.OpType == "MatMul");
    }

    [Fact]
    public void MaxPool_opset16_overlapping_ceil_mode_matches()
    {
        var result = CheckPool(
            "MaxPool", 16, DataTypes.Double, [1, 2, 6, 7], false,
            Attributes.Ints("kernel_shape", [3, 3]),
            Attributes.Ints("strides", [2, 2]),
            Attributes.Ints("pads", [1, 0, 0, 1]),
            Attributes.Int("ceil_mode", 1));

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void MaxPool_1d_dilated_matches()
    {
        var result = CheckPool("MaxPool", 17, DataTypes.Double, [2, 3, 10], false, Attributes.Ints("kernel_shape", [2]), Attributes.Ints("dilations", [2]));

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void MaxPool_storage_order_column_major_recomputes()
    {
        var g = new GraphBuilder(17);
        var x = g.Initializer("x", [1, 1, 4, 4], TestData.Uniform(16, 53));
        var outputs = g.NodeMulti("MaxPool", [x], 2, Attributes.Ints("kernel_shape", [2, 2]), Attributes.Ints("strides", [2, 2]), Attributes.Int("storage_order", 1));
        var loss = ConvolutionGradientTests.TanhSum(g, outputs[0]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
        result.TrainingModel.Proto.Graph.Node.Count(n => n.OpType == "MaxPool").Should().Be(2);
    }

    [Fact]
    public void MaxPool_ties_route_to_one_cell()
    {
        var g = new GraphBuilder(17);
        var x = g.Initializer("x", [1, 1, 4, 4], Enumerable.Repeat(0.5, 16).ToArray());
        var y = g.Node("MaxPool", [x], Attributes.Ints("kernel_shape", [2, 2]), Attributes.Ints("strides", [2, 2]));
        var loss = g.Node("ReduceSum", [y], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        result.Analytic["x"].Sum().Should().Be(4.0);
        result.Analytic["x"].Count(v => v == 1.0).Should().Be(4);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AveragePool_padded_count_include_pad_matches(long includePad)
    {
        var result = CheckPool(
            "AveragePool", 17, DataTypes.Float, [2, 2, 5, 6], false,
            Attributes.Ints("kernel_shape", [3, 3]),
            Attributes.Ints("pads", [1, 1, 1, 1]),
            Attributes.Int("count_include_pad", includePad));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AveragePool_strided_asymmetric_pads_match(long includePad)
    {
        var result = CheckPool(
            "AveragePool", 17, DataTypes.Float, [1, 2, 7, 8], false,
            Attributes.Ints("kernel_shape", [3, 2]),
            Attributes.Ints("strides", [2, 3]),
            Attributes.Ints("pads", [1, 0, 2, 1]),
            Attributes.Int("count_include_pad", includePad));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void AveragePool_unpadded_divides_by_kernel()
    {
        var result = CheckPool("AveragePool", 13, DataTypes.Float, [2, 3, 6, 6], false, Attributes.Ints("kernel_shape", [2, 2]), Attributes.Ints("strides", [2, 2]));

        GradientChecker.AssertClose(result, DataTypes.Float);
        result.TrainingModel.Proto.Graph.Node.Where(n => n.Name.StartsWith("grad/", StringComparison.Ordinal)).Should().NotContain(n => n.OpType == "Conv");
    }

    [Fact]
    public void AveragePool_same_upper_excluding_pad_matches()
    {
        var result = CheckPool("AveragePool", 17, DataTypes.Float, [1, 2, 7, 6], false, Attributes.Ints("kernel_shape", [3, 3]), Attributes.Ints("strides", [2, 2]), Attributes.String("auto_pad", "SAME_UPPER"));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void AveragePool_1d_matches()
    {
        var result = CheckPool("AveragePool", 17, DataTypes.Float, [2, 3, 9], false, Attributes.Ints("kernel_shape", [3]), Attributes.Ints("strides", [2]), Attributes.Ints("pads", [1, 0]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void AveragePool_unknown_size_matches()
    {
        var result = CheckPool("AveragePool", 17, DataTypes.Float, [1, 2, 8, 7], true, Attributes.Ints("kernel_shape", [3, 3]), Attributes.Ints("strides", [2, 2]), Attributes.Ints("pads", [1, 1, 1, 1]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AveragePool_opset19_dilated_matches(long includePad)
    {
        var result = CheckPool(
            "AveragePool", 19, DataTypes.Float, [1, 2, 8, 7], false,
            Attributes.Ints("kernel_shape", [2, 3]),
            Attributes.Ints("dilations", [2, 1]),
            Attributes.Ints("pads", [1, 1, 0, 1]),
            Attributes.Int("count_include_pad", includePad));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void AveragePool_unknown_size_same_pads_match()
    {
        // SAME pads with stride 2 and an unknown size are computed in the graph, and so are the window counts.
        var result = CheckPool("AveragePool", 17, DataTypes.Float, [1, 2, 7, 8], true, Attributes.Ints("kernel_shape", [3, 2]), Attributes.Ints("strides", [2, 2]), Attributes.String("auto_pad", "SAME_LOWER"));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void MaxPool_unknown_size_overlapping_matches()
    {
        // ONNX Runtime 1.32 has no float64 Conv, so with the Conv in front this check runs in float32.
        var result = CheckPool("MaxPool", 13, DataTypes.Float, [1, 2, 6, 5], true, Attributes.Ints("kernel_shape", [3, 3]), Attributes.Ints("strides", [2, 1]), Attributes.String("auto_pad", "SAME_UPPER"));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void MaxPool_same_upper_overlapping_matches()
    {
        var result = CheckPool("MaxPool", 13, DataTypes.Double, [1, 2, 6, 5], false, Attributes.Ints("kernel_shape", [3, 3]), Attributes.Ints("strides", [2, 1]), Attributes.String("auto_pad", "SAME_UPPER"));

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void AveragePool_ceil_mode_rejected()
    {
        var g = new GraphBuilder(17, DataTypes.Float);
        var x = g.Initializer("x", [1, 1, 5, 5], TestData.Uniform(25, 54));
        var y = g.Node("AveragePool", [x], Attributes.Ints("kernel_shape", [2, 2]), Attributes.Ints("strides", [2, 2]), Attributes.Int("ceil_mode", 1));
        var loss = ConvolutionGradientTests.TanhSum(g, y);

        var build = () => GradientGraphBuilder.Build(g.ToModel(), loss, new GradientBuilderOptions { TrainableParameters = ["x"] });

        build.Should().Throw<GradientBuildException>().WithMessage("*ceil_mode*");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GlobalAveragePool_matches(bool unknownSize)
    {
        var result = CheckPool("GlobalAveragePool", 17, DataTypes.Float, [2, 3, 4, 5], unknownSize);

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void GlobalAveragePool_1d_matches()
    {
        var result = CheckPool("GlobalAveragePool", 13, DataTypes.Float, [2, 3, 7], false);

        GradientChecker.AssertClose(result, DataTypes.Float);
    }
}
