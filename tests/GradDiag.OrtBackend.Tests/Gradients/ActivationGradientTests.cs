using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class ActivationGradientTests
{
    private static GradientCheckResult CheckUnary(string opType, int elementType, int opset = 17, params AttributeProto[] attributes)
    {
        var g = new GraphBuilder(opset, elementType);
        var x = g.Initializer("x", [3, 4], TestData.AwayFromZero(12, 11));
        var y = g.Node(opType, [x], attributes);
        var loss = g.WeightedSumLoss(y, [3, 4]);
        return GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);
    }

    [Theory]
    [InlineData("Relu")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    public void Activation_float64_matches(string opType)
    {
        var result = CheckUnary(opType, DataTypes.Double);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Theory]
    [InlineData("Elu")]
    [InlineData("Softplus")]
    public void Activation_float32_matches(string opType)
    {
        // ONNX Runtime 1.32 has no float64 CPU kernels for Elu and Softplus.
        var result = CheckUnary(opType, DataTypes.Float);

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void LeakyRelu_alpha_matches()
    {
        // ONNX Runtime 1.32 has no float64 CPU kernel for LeakyRelu.
        var result = CheckUnary("LeakyRelu", DataTypes.Float, 17, Attributes.Float("alpha", 0.2f));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Elu_alpha_matches()
    {
        var result = CheckUnary("Elu", DataTypes.Float, 17, Attributes.Float("alpha", 0.7f));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("tanh")]
    public void Gelu_opset20_matches(string approximate)
    {
        var result = CheckUnary("Gelu", DataTypes.Float, 20, Attributes.String("approximate", approximate));

        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Fact]
    public void Relu_negative_inputs_get_zero()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [4], [-2.0, -0.5, 0.5, 3.0]);
        var y = g.Node("Relu", [x]);
        var loss = g.Node("ReduceSum", [y], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        result.Analytic["x"].Should().Equal(0.0, 0.0, 1.0, 1.0);
    }

    [Fact]
    public void Clip_bounds_as_inputs_match()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [2, 4], [-0.9, -0.45, -0.1, 0.2, 0.35, 0.6, 0.85, -0.7]);
        var low = g.Initializer("low", [], [-0.5]);
        var high = g.Initializer("high", [], [0.5]);
        var y = g.Node("Clip", [x, low, high]);
        var loss = g.WeightedSumLoss(y, [2, 4]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "low", "high"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
        result.Analytic["x"][0].Should().Be(0.0);
        result.Analytic["x"][2].Should().NotBe(0.0);
    }

    [Fact]
    public void Clip_min_only_matches()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [4], [-0.9, -0.2, 0.3, 0.8]);
        var low = g.Initializer("low", [], [0.0]);
        var y = g.Node("Clip", [x, low]);
        var loss = g.WeightedSumLoss(y, [4]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
        result.Analytic["x"][0].Should().Be(0.0);
        result.Analytic["x"][3].Should().NotBe(0.0);
    }
}
