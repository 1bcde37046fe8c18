using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>
/// Attaches loss = ReduceMean((prediction − target)²) to a forward model, for tests, with a new graph input
/// <c>target</c> typed like the prediction output.
/// </summary>
internal static class MseLoss
{
    public static LossGraph Attach(OnnxModel forward, string prediction)
    {
        var model = forward.Proto.Clone();
        var graph = model.Graph;
        var output = graph.Output.Single(o => o.Name == prediction);
        var target = output.Clone();
        target.Name = "target";
        graph.Input.Add(target);

        var difference = Node(graph, "Sub", [prediction, "target"], "loss/difference");
        var square = Node(graph, "Mul", [difference, difference], "loss/square");
        var loss = Node(graph, "ReduceMean", [square], "loss", Attributes.Int("keepdims", 0));
        graph.Output.Add(new ValueInfoProto
        {
            Name = loss,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float, Shape = new TensorShapeProto() } },
        });

        return new LossGraph(new OnnxModel(model), loss, "mse", ["target"]);
    }

    private static string Node(GraphProto graph, string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output + "/node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output;
    }
}
