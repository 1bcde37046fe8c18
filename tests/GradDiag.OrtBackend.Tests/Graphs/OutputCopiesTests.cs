using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Standalone;

namespace GradDiag.OrtBackend.Tests.Graphs;

public class OutputCopiesTests
{
    [Fact]
    public void Fold_renames_producer_and_consumers()
    {
        NodeProto[] nodes = [Node("Mul", ["a", "b"], "v"), Node("Identity", ["v"], "out"), Node("Sub", ["v", "a"], "w")];

        var folded = OutputCopies.Fold(nodes, ["out", "w"]);

        folded.Select(n => n.OpType).Should().Equal("Mul", "Sub");
        folded[0].Output.Should().Equal("out");
        folded[1].Input.Should().Equal("out", "a");
        nodes[0].Output.Should().Equal(["v"], "the input nodes are left unchanged");
        nodes[2].Input.Should().Equal("v", "a");
    }

    [Fact]
    public void Fold_keeps_copy_of_graph_input()
    {
        NodeProto[] nodes = [Node("Identity", ["a"], "out")];

        OutputCopies.Fold(nodes, ["out"]).Select(n => n.OpType).Should().Equal("Identity");
    }

    [Fact]
    public void Fold_keeps_copy_of_another_output()
    {
        NodeProto[] nodes = [Node("Mul", ["a", "b"], "first"), Node("Identity", ["first"], "second")];

        var folded = OutputCopies.Fold(nodes, ["first", "second"]);

        folded.Select(n => n.OpType).Should().Equal("Mul", "Identity");
        folded[1].Input.Should().Equal("first");
    }

    [Fact]
    public void Optimizer_model_has_no_copies()
    {
        var model = OptimizerGraph.Build([new ParameterSpec("w", DataTypes.Float, [3])], new OptimizerOptions { Kind = OptimizerKind.Adam });

        model.Proto.Graph.Node.Select(n => n.OpType).Should().NotContain("Identity");
        model.Proto.Graph.Node.SelectMany(n => n.Output).Should().Contain(["w.updated", "w.exp_avg.updated", "w.exp_avg_sq.updated", OptimizerGraph.GlobalNormOutput]);
    }

    private static NodeProto Node(string opType, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }
}
