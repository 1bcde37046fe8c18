using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class SoftmaxGradientTests
{
    [Theory]
    [InlineData("Softmax", -1)]
    [InlineData("Softmax", 1)]
    [InlineData("Softmax", 0)]
    [InlineData("LogSoftmax", -1)]
    [InlineData("LogSoftmax", 1)]
    public void Softmax_opset13_axis_matches(string opType, long axis)
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 5, -2, 2));
        var y = g.Node(opType, [x], Attributes.Int("axis", axis));
        var loss = g.WeightedSumLoss(y, [2, 3, 4]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Softmax_opset13_default_axis_is_last()
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 6, -2, 2));
        var y = g.Node("Softmax", [x]);
        var loss = g.WeightedSumLoss(y, [2, 3, 4]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Theory]
    [InlineData("Softmax", 1)]
    [InlineData("Softmax", 2)]
    [InlineData("LogSoftmax", 1)]
    [InlineData("LogSoftmax", 0)]
    public void Softmax_opset11_flattens_at_axis(string opType, long axis)
    {
        // Before opset 13 the input is flattened to 2-D at axis, so the normalisation spans every later axis.
        var g = new GraphBuilder(11);
        g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 7, -2, 2));
        g.Node(opType, ["x"], Attributes.Int("axis", axis));

        var result = SingleRuleCheck.Check(g, [2, 3, 4], ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Softmax_opset11_default_axis_is_one()
    {
        var g = new GraphBuilder(11);
        g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 8, -2, 2));
        g.Node("Softmax", ["x"]);

        var result = SingleRuleCheck.Check(g, [2, 3, 4], ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Softmax_rows_sum_to_zero_gradient()
    {
        // Softmax output rows always sum to 1, so a loss that sums the outputs has zero gradient.
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [2, 5], TestData.Uniform(10, 9, -2, 2));
        var y = g.Node("Softmax", [x]);
        var loss = g.Node("ReduceSum", [y], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        result.Analytic["x"].Should().AllSatisfy(v => Math.Abs(v).Should().BeLessThan(1e-15));
    }
}
