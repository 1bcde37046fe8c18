using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Graphs;

public class GraphEmitterTests
{
    private static GraphEmitter CreateEmitter(int opset, GraphBuilder g) =>
        new(TypeInference.Run(g.Graph, opset), ["grad/shape_0"], opset, "grad/");

    [Fact]
    public void FreshName_skips_used_names()
    {
        var emitter = CreateEmitter(17, new GraphBuilder());

        var name = emitter.FreshName("shape");

        name.Should().Be("grad/shape_1");
        emitter.FreshName("shape").Should().Be("grad/shape_2");
    }

    [Fact]
    public void Scalar_constants_are_shared()
    {
        var emitter = CreateEmitter(17, new GraphBuilder());

        var first = emitter.Scalar(0.5, DataTypes.Float);
        var second = emitter.Scalar(0.5, DataTypes.Float);
        var other = emitter.Scalar(0.5, DataTypes.Double);

        second.Should().Be(first);
        other.Should().NotBe(first);
        emitter.Initializers.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("ReduceMean", 17, false)]
    [InlineData("ReduceMean", 18, true)]
    [InlineData("ReduceSum", 13, true)]
    [InlineData("ReduceMax", 13, false)]
    public void Reduce_axes_form_follows_opset(string opType, int opset, bool axesAsInput)
    {
        var g = new GraphBuilder(opset);
        var x = g.Initializer("x", [2, 3], new double[6]);
        var emitter = CreateEmitter(opset, g);

        emitter.Reduce(opType, x, [1], keepDims: false);

        var node = emitter.Nodes.Single();
        node.Input.Count.Should().Be(axesAsInput ? 2 : 1);
        node.Attribute.Any(a => a.Name == "axes").Should().Be(!axesAsInput);
    }

    [Fact]
    public void Unsqueeze_before_opset13_uses_attribute()
    {
        var g = new GraphBuilder(12);
        var x = g.Initializer("x", [2], new double[2]);
        var emitter = CreateEmitter(12, g);

        emitter.Unsqueeze(x, 0);

        emitter.Nodes.Single().Attribute.Single().Name.Should().Be("axes");
    }

    [Fact]
    public void ReduceToShape_static_needs_no_shape_ops()
    {
        var g = new GraphBuilder();
        var grad = g.Initializer("grad", [2, 3, 4], new double[24]);
        var target = g.Initializer("target", [3, 1], new double[3]);
        var emitter = CreateEmitter(17, g);

        var result = emitter.ReduceToShape(grad, target);

        emitter.Nodes.Select(n => n.OpType).Should().Equal("ReduceSum", "Reshape");
        emitter.Types[result].Dims.Should().Equal(3, 1);
    }

    [Fact]
    public void ReduceToShape_same_shape_is_identity()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 3]);
        var y = g.Node("Relu", [x]);
        var emitter = CreateEmitter(17, g);

        var result = emitter.ReduceToShape(y, x);

        result.Should().Be(y);
        emitter.Nodes.Should().BeEmpty();
    }

    [Fact]
    public void ReduceToShape_unknown_dims_use_graph()
    {
        var g = new GraphBuilder();
        var grad = g.Input("grad", null);
        var target = g.Initializer("target", [3], new double[3]);
        var emitter = CreateEmitter(17, g);

        emitter.ReduceToShape(grad, target);

        emitter.Nodes.Select(n => n.OpType).Should().Contain(["Shape", "NonZero", "ReduceSum", "Reshape"]);
        emitter.Nodes.Single(n => n.OpType == "ReduceSum").Attribute.Should().Contain(a => a.Name == "noop_with_empty_axes" && a.I == 1);
    }
}
