using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

/// <summary>
/// Conv gradients in float32: ONNX Runtime 1.32 has no float64 CPU kernels for Conv and ConvTranspose, so
/// these use the checker's float32 step (5e-3) and tolerance (rtol 2e-2, atol 2e-3·max|g|).
/// </summary>
public class ConvolutionGradientTests
{
    /// <summary>Adds loss = ΣTanh(Y), whose upstream gradient 1 − tanh²(Y) differs per element and needs no output shape.</summary>
    internal static string TanhSum(GraphBuilder g, string y)
    {
        var loss = g.Node("ReduceSum", [g.Node("Tanh", [y])], Attributes.Int("keepdims", 0));
        g.Output(loss, []);
        return loss;
    }

    private static GradientCheckResult CheckConv(long[] xDims, long[] wDims, bool unknownSize, params AttributeProto[] attributes)
    {
        var g = new GraphBuilder(17, DataTypes.Float);
        var x = g.Initializer("x", xDims, TestData.Uniform(TestData.Count(xDims), 41));
        var w = g.Initializer("w", wDims, TestData.Uniform(TestData.Count(wDims), 42, -0.5, 0.5));
        var b = g.Initializer("b", [wDims[0]], TestData.Uniform((int)wDims[0], 43, -0.2, 0.2));
        var input = x;
        if (unknownSize)
        {
            // Type inference does not compute Conv output sizes, so a 1x1 Conv in front hides X's spatial size.
            long[] mixDims = [xDims[1], xDims[1], .. Enumerable.Repeat(1L, xDims.Length - 2)];
            var mix = g.Initializer("mix", mixDims, TestData.Uniform(TestData.Count(mixDims), 44, 0.2, 0.8));
            input = g.Node("Conv", [x, mix]);
        }

        var y = g.Node("Conv", [input, w, b], attributes);
        var loss = TanhSum(g, y);
        return GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "w", "b"]);
    }

    [Fact]
    public void Conv_padded_3x3_matches()
    {
        var result = CheckConv([2, 3, 5, 5], [4, 3, 3, 3], false, Attributes.Ints("pads", [1, 1, 1, 1]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_strided_asymmetric_pads_match()
    {
        var result = CheckConv([1, 2, 7, 8], [3, 2, 3, 2], false, Attributes.Ints("strides", [2, 3]), Attributes.Ints("pads", [1, 0, 0, 2]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_dilated_grouped_strided_match()
    {
        var result = CheckConv(
            [2, 4, 7, 7],
            [6, 2, 3, 3],
            false,
            Attributes.Int("group", 2),
            Attributes.Ints("strides", [2, 2]),
            Attributes.Ints("dilations", [2, 1]),
            Attributes.Ints("pads", [1, 1, 2, 0]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_depthwise_matches()
    {
        var result = CheckConv([1, 3, 6, 6], [3, 1, 3, 3], false, Attributes.Int("group", 3), Attributes.Ints("pads", [1, 1, 1, 1]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_stride4_remainder3_trims_weight_gradient()
    {
        // (9 − 2) mod 4 = 3 rows fall into no window, so the weight correlation is 5 wide and gets sliced to 2.
        var result = CheckConv([1, 1, 9, 9], [1, 1, 2, 2], false, Attributes.Ints("strides", [4, 4]));

        GradientChecker.AssertClose(result, DataTypes.Float);
        result.TrainingModel.Proto.Graph.Node.Should().Contain(n => n.OpType == "ConvTranspose" && n.Attribute.Any(a => a.Name == "output_padding"));
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    [InlineData("VALID")]
    public void Conv_auto_pad_strided_matches(string autoPad)
    {
        var result = CheckConv([1, 2, 7, 6], [2, 2, 3, 3], false, Attributes.String("auto_pad", autoPad), Attributes.Ints("strides", [2, 2]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_same_lower_even_kernel_matches()
    {
        // ONNX Runtime 1.32 rejects dilations together with SAME auto_pad, so this case has none.
        var result = CheckConv([1, 2, 6, 7], [2, 2, 2, 3], false, Attributes.String("auto_pad", "SAME_LOWER"), Attributes.Ints("strides", [2, 1]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_1d_strided_dilated_matches()
    {
        var result = CheckConv([2, 3, 11], [4, 3, 3], false, Attributes.Ints("strides", [3]), Attributes.Ints("dilations", [2]), Attributes.Ints("pads", [2, 1]));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_1d_grouped_valid_matches()
    {
        var result = CheckConv([1, 4, 9], [6, 2, 4], false, Attributes.Int("group", 2), Attributes.Ints("strides", [2]), Attributes.String("auto_pad", "VALID"));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_unknown_size_strided_matches()
    {
        // With the spatial size unknown at build time the remainder r is computed in the graph (Pad + Slice).
        var result = CheckConv([1, 2, 8, 7], [3, 2, 3, 3], true, Attributes.Ints("strides", [2, 2]), Attributes.Ints("pads", [1, 0, 1, 2]));

        GradientChecker.AssertClose(result, DataTypes.Float);
        result.TrainingModel.Proto.Graph.Node.Should().Contain(n => n.OpType == "Pad");
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    public void Conv_unknown_size_same_pads_match(string autoPad)
    {
        // SAME pads with stride 2 depend on the input size, so they are computed in the graph.
        var result = CheckConv([1, 2, 7, 8], [2, 1, 3, 2], true, Attributes.String("auto_pad", autoPad), Attributes.Ints("strides", [2, 2]), Attributes.Int("group", 2));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Conv_unknown_size_stride1_uses_static_pads()
    {
        var result = CheckConv([1, 2, 5, 5], [2, 2, 3, 3], true, Attributes.Ints("pads", [1, 1, 1, 1]));

        GradientChecker.AssertClose(result, DataTypes.Float);
        var graph = result.TrainingModel.Proto.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        graph.Node.Where(n => n.OpType == "Pad").Should().OnlyContain(n => initializers.Contains(n.Input[1]), "static pads need no pad sizes computed at run time");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Conv_stride1_weight_gradient_is_one_gemm(int spatialRank)
    {
        long[] input = [2, 3, .. Enumerable.Repeat(5L, spatialRank)];
        long[] weights = [4, 3, .. Enumerable.Repeat(3L, spatialRank)];
        var pads = Enumerable.Repeat(1L, 2 * spatialRank).ToArray();

        var result = CheckConv(input, weights, false, Attributes.Ints("pads", pads));

        GradientChecker.AssertClose(result, DataTypes.Float);
        var backward = result.TrainingModel.Proto.Graph.Node.Where(n => n.Name.StartsWith("grad/", StringComparison.Ordinal)).ToList();
        backward.Count(n => n.OpType == "Gemm").Should().Be(1, "dW is one matrix product of the windows and dY");
        backward.Count(n => n.OpType == "Conv").Should().Be(0);
    }
}
