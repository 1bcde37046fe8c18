using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class ArithmeticGradientTests
{
    private static double[] RandomValues(int count, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => low + (random.NextDouble() * (high - low))).ToArray();
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    public void Binary_broadcast_matches_finite_differences(string opType)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 3, 4]);
        var a = g.Initializer("a", [3, 1], RandomValues(3, 1, 0.5, 2));
        var b = g.Initializer("b", [4], RandomValues(4, 2, 0.5, 2));
        var ax = g.Node(opType, [x, a]);
        var y = g.Node(opType, [b, ax]);
        var loss = g.WeightedSumLoss(y, [2, 3, 4]);
        var feeds = new Dictionary<string, Feed> { ["x"] = new(RandomValues(24, 3, 0.5, 2), [2, 3, 4], DataTypes.Double) };

        var result = GradientChecker.Check(g, loss, feeds, ["a", "b"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
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
}
