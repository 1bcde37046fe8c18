using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class ArithmeticGradientTests
{
    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    [InlineData("Pow")]
    public void Binary_broadcast_matches_finite_differences(string opType)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 3, 4]);
        var a = g.Initializer("a", [3, 1], TestData.Uniform(3, 1, 0.5, 2));
        var b = g.Initializer("b", [4], TestData.Uniform(4, 2, 0.5, 2));
        var ax = g.Node(opType, [x, a]);
        var y = g.Node(opType, [ax, b]);
        var loss = g.WeightedSumLoss(y, [2, 3, 4]);
        var feeds = new Dictionary<string, Feed> { ["x"] = new(TestData.Uniform(24, 3, 0.5, 2), [2, 3, 4], DataTypes.Double) };

        var result = GradientChecker.Check(g, loss, feeds, ["a", "b"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    public void Binary_scalar_and_vector_operands(string opType)
    {
        var g = new GraphBuilder();
        var s = g.Initializer("s", [], [1.25]);
        var v = g.Initializer("v", [2, 3], TestData.Uniform(6, 4, 0.5, 2));
        var y = g.Node(opType, [s, v]);
        var loss = g.WeightedSumLoss(y, [2, 3]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["s", "v"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Broadcast_unknown_rank_uses_shape_ops()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", null);
        var w = g.Initializer("w", [3, 1], TestData.Uniform(3, 9));
        var y = g.Node("Mul", [x, w]);
        var loss = g.WeightedSumLoss(y, [2, 3, 4]);
        var feeds = new Dictionary<string, Feed> { ["x"] = new(TestData.Uniform(24, 10), [2, 3, 4], DataTypes.Double) };

        var result = GradientChecker.Check(g, loss, feeds, ["w"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
        result.TrainingModel.Proto.Graph.Node.Select(n => n.OpType).Should().Contain("NonZero");
    }

    [Fact]
    public void Mul_same_input_sums_both_terms()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [3], [1.5, -2.0, 0.25]);
        var square = g.Node("Mul", [w, w]);
        var loss = g.Node("ReduceSum", [square], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["w"]);

        result.Analytic["w"].Should().Equal(3.0, -4.0, 0.5);
    }

    [Fact]
    public void Pow_trainable_exponent_matches()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [2, 2], TestData.Uniform(4, 5, 0.5, 2));
        var p = g.Initializer("p", [], [1.7]);
        var y = g.Node("Pow", [x, p]);
        var loss = g.WeightedSumLoss(y, [2, 2]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "p"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Pow_integer_exponent_is_cast()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [3], [0.5, -1.5, 2.0]);
        var p = g.Int64s("p", 3);
        var y = g.Node("Pow", [x, p]);
        var loss = g.Node("ReduceSum", [y], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        result.Analytic["x"].Should().Equal(0.75, 6.75, 12.0);
    }

    [Theory]
    [InlineData("Neg", -1.0, 1.0)]
    [InlineData("Abs", -1.0, 1.0)]
    [InlineData("Sqrt", 0.2, 2.0)]
    [InlineData("Reciprocal", 0.5, 2.0)]
    [InlineData("Exp", -1.0, 1.0)]
    [InlineData("Log", 0.2, 2.0)]
    public void Unary_float64_matches(string opType, double low, double high)
    {
        var g = new GraphBuilder();
        var values = opType == "Abs" ? TestData.AwayFromZero(6, 7) : TestData.Uniform(6, 7, low, high);
        var x = g.Initializer("x", [2, 3], values);
        var y = g.Node(opType, [x]);
        var loss = g.WeightedSumLoss(y, [2, 3]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Erf_float32_matches()
    {
        // ONNX Runtime 1.32 has no float64 CPU kernel for Erf.
        var g = new GraphBuilder(elementType: DataTypes.Float);
        var x = g.Initializer("x", [2, 3], TestData.Uniform(6, 8, -1.5, 1.5));
        var y = g.Node("Erf", [x]);
        var loss = g.WeightedSumLoss(y, [2, 3]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Float);
    }
}
