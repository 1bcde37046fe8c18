using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class ShapeGradientTests
{
    private static readonly Dictionary<string, Feed> NoFeeds = [];

    private static void AssertMatches(GraphBuilder g, string y, long[] yDims, params string[] parameters)
    {
        var loss = g.WeightedSumLoss(y, yDims);
        var result = GradientChecker.Check(g, loss, NoFeeds, parameters);
        GradientChecker.AssertClose(result, g.ElementType);
    }

    [Fact]
    public void Reshape_with_inferred_dim()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 41));
        var y = g.Node("Reshape", [x, g.Int64s("shape", 4, -1)]);

        AssertMatches(g, y, [4, 6], "x");
    }

    [Fact]
    public void Flatten_axis_two()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [2, 3, 2, 2], TestData.Uniform(24, 42));
        var y = g.Node("Flatten", [x], Attributes.Int("axis", 2));

        AssertMatches(g, y, [6, 4], "x");
    }

    [Fact]
    public void Transpose_with_perm()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 43));
        var y = g.Node("Transpose", [x], Attributes.Ints("perm", [1, 2, 0]));

        AssertMatches(g, y, [3, 4, 2], "x");
    }

    [Fact]
    public void Transpose_without_perm()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 44));
        var y = g.Node("Transpose", [x]);

        AssertMatches(g, y, [4, 3, 2], "x");
    }

    [Theory]
    [InlineData(13)]
    [InlineData(21)]
    public void Squeeze_and_unsqueeze_by_opset(int opset)
    {
        var g = new GraphBuilder(opset);
        var x = g.Initializer("x", [2, 1, 3], TestData.Uniform(6, 45));
        var squeezed = g.Node("Squeeze", [x, g.Int64s("axes1", 1)]);
        var y = g.Node("Unsqueeze", [squeezed, g.Int64s("axes2", 0, -1)]);

        AssertMatches(g, y, [1, 2, 3, 1], "x");
    }

    [Fact]
    public void Expand_sums_over_new_axes()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [3, 1], TestData.Uniform(3, 46));
        var y = g.Node("Expand", [x, g.Int64s("shape", 2, 3, 4)]);

        AssertMatches(g, y, [2, 3, 4], "x");
    }

    [Fact]
    public void Concat_static_sizes()
    {
        var g = new GraphBuilder();
        var a = g.Initializer("a", [2, 3], TestData.Uniform(6, 47));
        var b = g.Initializer("b", [2, 1], TestData.Uniform(2, 48));
        var c = g.Initializer("c", [2, 2], TestData.Uniform(4, 49));
        var y = g.Node("Concat", [a, b, c], Attributes.Int("axis", -1));

        AssertMatches(g, y, [2, 6], "a", "c");
    }

    [Fact]
    public void Concat_symbolic_sizes()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 2]);
        var w = g.Initializer("w", [3, 2], TestData.Uniform(6, 50));
        var y = g.Node("Concat", [x, w], Attributes.Int("axis", 0));
        var loss = g.WeightedSumLoss(y, [5, 2]);
        var feeds = new Dictionary<string, Feed> { ["x"] = new(TestData.Uniform(4, 51), [2, 2], DataTypes.Double) };

        var result = GradientChecker.Check(g, loss, feeds, ["w"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Split_sizes_input_with_unused_output()
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [2, 6], TestData.Uniform(12, 52));
        var parts = g.NodeMulti("Split", [x, g.Int64s("sizes", 1, 3, 2)], 3, Attributes.Int("axis", 1));
        var y = g.Node("Mul", [parts[0], parts[2]]);

        AssertMatches(g, y, [2, 2], "x");
    }

    [Fact]
    public void Split_num_outputs_opset18()
    {
        var g = new GraphBuilder(18);
        var x = g.Initializer("x", [4, 3], TestData.Uniform(12, 53));
        var parts = g.NodeMulti("Split", [x], 2, Attributes.Int("axis", 0), Attributes.Int("num_outputs", 2));
        var y = g.Node("Sub", [parts[0], parts[1]]);

        AssertMatches(g, y, [2, 3], "x");
    }

    [Fact]
    public void Slice_negative_step_and_axes()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [4, 5, 3], TestData.Uniform(60, 54));
        var y = g.Node("Slice", [x, g.Int64s("starts", -1, 1), g.Int64s("ends", 0, 100), g.Int64s("axes", 1, 2), g.Int64s("steps", -2, 1)]);

        AssertMatches(g, y, [4, 2, 2], "x");
    }

    [Fact]
    public void Slice_default_axes_and_steps()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [4, 5], TestData.Uniform(20, 55));
        var y = g.Node("Slice", [x, g.Int64s("starts", 1, 0), g.Int64s("ends", 3, -1)]);

        AssertMatches(g, y, [2, 4], "x");
    }

    [Fact]
    public void Where_routes_by_condition()
    {
        var g = new GraphBuilder();
        var a = g.Initializer("a", [2, 3], TestData.Uniform(6, 56));
        var b = g.Initializer("b", [3], TestData.Uniform(3, 57));
        var condition = g.Node("Greater", [a, g.Initializer("zero", [], [0.0])]);
        var y = g.Node("Where", [condition, a, b]);

        AssertMatches(g, y, [2, 3], "a", "b");
    }

    [Fact]
    public void Cast_round_trip_and_identity()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [2, 3], TestData.Uniform(6, 58));
        var single = g.Node("Cast", [x], Attributes.Int("to", DataTypes.Float));
        var back = g.Node("Cast", [single], Attributes.Int("to", DataTypes.Double));
        var y = g.Node("Identity", [back]);
        var loss = g.WeightedSumLoss(y, [2, 3]);

        var result = GradientChecker.Check(g, loss, NoFeeds, ["x"]);

        // The float32 round trip perturbs the loss by about 1e-7 relative, so finite differences need float32 tolerances.
        GradientChecker.AssertClose(result, DataTypes.Float);
    }

    [Theory]
    [InlineData("ReduceSum", 13, 1)]
    [InlineData("ReduceSum", 13, 0)]
    [InlineData("ReduceMean", 17, 0)]
    [InlineData("ReduceMean", 18, 1)]
    [InlineData("ReduceMean", 18, 0)]
    public void Reduce_axes_by_opset(string opType, int opset, int keepDims)
    {
        var g = new GraphBuilder(opset);
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 59));
        var axesAsInput = opType == "ReduceSum" ? opset >= 13 : opset >= 18;
        var y = axesAsInput
            ? g.Node(opType, [x, g.Int64s("axes", 0, -1)], Attributes.Int("keepdims", keepDims))
            : g.Node(opType, [x], Attributes.Ints("axes", [0, -1]), Attributes.Int("keepdims", keepDims));
        long[] yDims = keepDims == 1 ? [1, 3, 1] : [3];

        AssertMatches(g, y, yDims, "x");
    }

    [Fact]
    public void ReduceMean_all_axes_symbolic_batch()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 3]);
        var w = g.Initializer("w", [3], TestData.Uniform(3, 60));
        var product = g.Node("Mul", [x, w]);
        var loss = g.Node("ReduceMean", [g.Node("Mul", [product, product])], Attributes.Int("keepdims", 0));
        g.Output(loss, []);
        var feeds = new Dictionary<string, Feed> { ["x"] = new(TestData.Uniform(15, 61), [5, 3], DataTypes.Double) };

        var result = GradientChecker.Check(g, loss, feeds, ["w"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void ReduceSum_empty_axes_noop()
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [2, 3], TestData.Uniform(6, 62));
        var y = g.Node("ReduceSum", [x, g.Int64s("axes")], Attributes.Int("noop_with_empty_axes", 1));

        AssertMatches(g, y, [2, 3], "x");
    }

    [Fact]
    public void ReduceSum_computed_axes()
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 63));
        var axes = g.Node("Sub", [g.Int64s("two", 2), g.Int64s("one", 1)]);
        var y = g.Node("ReduceSum", [x, axes], Attributes.Int("keepdims", 0));

        AssertMatches(g, y, [2, 4], "x");
    }
}
