using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Graphs;

public sealed class UnreadConstantsTests
{
    [Fact]
    public void Remove_keeps_what_is_read()
    {
        var g = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var x = g.Input("x", [2]);
        g.Initializer("w", [2], [1, 2]);
        g.Initializer("left_over", [2], [3, 4]);
        g.Initializer("output_constant", [2], [5, 6]);
        g.Graph.Node.Add(new NodeProto { OpType = "Constant", Output = { "unread_node_constant" }, Attribute = { Attributes.Tensor("value", Tensors.FromDoubles(string.Empty, DataTypes.Float, [], [1.0])) } });
        g.Graph.Node.Add(new NodeProto { OpType = "Constant", Output = { "read_node_constant" }, Attribute = { Attributes.Tensor("value", Tensors.FromDoubles(string.Empty, DataTypes.Float, [], [2.0])) } });
        var product = g.Node("Mul", [x, "w"]);
        g.Output(g.Node("Add", [product, "read_node_constant"]), [2]);
        g.Output("output_constant", [2]);
        g.Input("left_over", [2]);

        UnreadConstants.Remove(g.Graph).Should().Be(2);

        g.Graph.Initializer.Select(t => t.Name).Should().Equal("w", "output_constant");
        g.Graph.Input.Select(i => i.Name).Should().Equal(["x"], "an input that only gave the removed initializer a name would have to be fed");
        g.Graph.Node.Where(n => n.OpType == "Constant").SelectMany(n => n.Output).Should().Equal("read_node_constant");
    }

    [Fact]
    public void Eval_rewrite_leaves_no_training_mode_constant()
    {
        var g = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var x = g.Input("x", [2]);
        g.Initializer("ratio", [], [0.5]);
        g.Graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
        g.Output(g.Node("Dropout", [x, "ratio", "training"]), [2]);

        EvalModeRewriter.Apply(g.Graph);

        g.Graph.Initializer.Select(t => t.Name).Should().Equal(["ratio"], "nothing reads training_mode once Dropout is in inference mode");
    }
}
