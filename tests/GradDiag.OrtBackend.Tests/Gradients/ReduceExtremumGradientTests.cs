using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class ReduceExtremumGradientTests
{
    [Theory]
    [InlineData("ReduceMax", 17, 0)]
    [InlineData("ReduceMin", 17, 1)]
    [InlineData("ReduceMax", 18, 0)]
    [InlineData("ReduceMin", 18, 1)]
    public void Reduce_extremum_matches(string opType, int opset, int keepDims)
    {
        var g = new GraphBuilder(opset);
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 101));
        var y = opset >= 18
            ? g.Node(opType, [x, g.Int64s("axes", 1)], Attributes.Int("keepdims", keepDims))
            : g.Node(opType, [x], Attributes.Ints("axes", [1]), Attributes.Int("keepdims", keepDims));
        var loss = g.WeightedSumLoss(y, keepDims == 1 ? [2, 1, 4] : [2, 4]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void ReduceMax_ties_split_gradient()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [4], [1.0, 3.0, 3.0, -2.0]);
        var loss = g.Node("ReduceMax", [x], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        result.Analytic["x"].Should().Equal(0.0, 0.5, 0.5, 0.0);
    }
}
