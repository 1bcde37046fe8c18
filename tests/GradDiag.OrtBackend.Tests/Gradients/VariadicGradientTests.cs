using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class VariadicGradientTests
{
    [Theory]
    [InlineData("Sum", DataTypes.Double)]
    [InlineData("Mean", DataTypes.Float)]
    [InlineData("Max", DataTypes.Double)]
    [InlineData("Min", DataTypes.Double)]
    public void Variadic_broadcast_matches(string opType, int elementType)
    {
        // ONNX Runtime 1.32 has no float64 CPU kernel for Mean.
        var g = new GraphBuilder(elementType: elementType);
        var a = g.Initializer("a", [2, 3], TestData.Uniform(6, 111));
        var b = g.Initializer("b", [3], TestData.Uniform(3, 112));
        var c = g.Initializer("c", [2, 1], TestData.Uniform(2, 113));
        var y = g.Node(opType, [a, b, c]);
        var loss = g.WeightedSumLoss(y, [2, 3]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["a", "b", "c"]);

        GradientChecker.AssertClose(result, elementType);
    }

    [Fact]
    public void Max_ties_split_gradient()
    {
        var g = new GraphBuilder();
        var a = g.Initializer("a", [3], [1.0, 2.0, 5.0]);
        var b = g.Initializer("b", [3], [1.0, 3.0, 4.0]);
        var loss = g.Node("ReduceSum", [g.Node("Max", [a, b])], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["a", "b"]);

        result.Analytic["a"].Should().Equal(0.5, 0.0, 1.0);
        result.Analytic["b"].Should().Equal(0.5, 1.0, 0.0);
    }
}
