using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class LookupGradientTests
{
    [Theory]
    [InlineData(13)]
    [InlineData(16)]
    public void Gather_repeated_indices_accumulate(int opset)
    {
        var g = new GraphBuilder(opset);
        var table = g.Initializer("table", [5, 3], TestData.Uniform(15, 31));
        var tokens = g.Input("tokens", [2, 4], DataTypes.Int64);
        var rows = g.Node("Gather", [table, tokens]);
        var loss = g.WeightedSumLoss(rows, [2, 4, 3]);
        var feeds = new Dictionary<string, Feed> { ["tokens"] = new([1, 3, 1, 1, 0, 3, 4, 1], [2, 4], DataTypes.Int64) };

        var result = GradientChecker.Check(g, loss, feeds, ["table"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
        result.Analytic["table"][6..9].Should().OnlyContain(v => v == 0.0, "row 2 is never looked up");
    }

    [Theory]
    [InlineData(13, 1)]
    [InlineData(16, 1)]
    [InlineData(13, -1)]
    [InlineData(16, 2)]
    public void Gather_inner_axis_matches(int opset, long axis)
    {
        var g = new GraphBuilder(opset);
        var data = g.Initializer("data", [2, 3, 4], TestData.Uniform(24, 32));
        var indices = g.Int64s("indices", 2, -1, 0, 2);
        var picked = g.Node("Gather", [data, indices], Attributes.Int("axis", axis));
        long[] dims = axis == 1 ? [2, 4, 4] : [2, 3, 4];
        var loss = g.WeightedSumLoss(picked, dims);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["data"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(17)]
    public void Gather_negative_runtime_indices_wrap(int opset)
    {
        var g = new GraphBuilder(opset);
        var table = g.Initializer("table", [4, 2], TestData.Uniform(8, 33));
        var tokens = g.Input("tokens", [3], DataTypes.Int64);
        var rows = g.Node("Gather", [table, tokens]);
        var loss = g.WeightedSumLoss(rows, [3, 2]);
        var feeds = new Dictionary<string, Feed> { ["tokens"] = new([-1, 3, 0], [3], DataTypes.Int64) };

        var result = GradientChecker.Check(g, loss, feeds, ["table"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Gather_scalar_index_matches()
    {
        var g = new GraphBuilder(17);
        var data = g.Initializer("data", [3, 4], TestData.Uniform(12, 34));
        g.Graph.Initializer.Add(Tensors.FromInt64s("index", [], [1]));
        var picked = g.Node("Gather", [data, "index"], Attributes.Int("axis", 1));
        var loss = g.WeightedSumLoss(picked, [3]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["data"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }
}
