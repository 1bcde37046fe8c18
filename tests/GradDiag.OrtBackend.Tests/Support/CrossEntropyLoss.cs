using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>
/// Attaches mean cross-entropy over class axis 1 to a forward model, for tests, with a FLOAT one-hot input
/// <c>labels_onehot</c>: loss = mean over rows of log Σ exp(z) − Σ onehot·z. Written with Exp, Log and
/// ReduceSum (opset 13 forms) because those have gradient rules; without the max shift it suits small logits only.
/// </summary>
internal static class CrossEntropyLoss
{
    public const string LabelsInput = "labels_onehot";

    public static LossGraph Attach(OnnxModel forward, string logits)
    {
        var model = forward.Proto.Clone();
        var graph = model.Graph;
        var labels = graph.Output.Single(o => o.Name == logits).Clone();
        labels.Name = LabelsInput;
        graph.Input.Add(labels);
        graph.Initializer.Add(Tensors.FromInt64s("loss/class_axis", [1], [1]));

        var exp = Node(graph, "Exp", [logits], "loss/exp");
        var sumExp = Node(graph, "ReduceSum", [exp, "loss/class_axis"], "loss/sum_exp", Attributes.Int("keepdims", 0));
        var logSumExp = Node(graph, "Log", [sumExp], "loss/log_sum_exp");
        var pickedAll = Node(graph, "Mul", [LabelsInput, logits], "loss/picked_all");
        var picked = Node(graph, "ReduceSum", [pickedAll, "loss/class_axis"], "loss/picked", Attributes.Int("keepdims", 0));
        var perRow = Node(graph, "Sub", [logSumExp, picked], "loss/per_row");
        var loss = Node(graph, "ReduceMean", [perRow], "loss", Attributes.Int("keepdims", 0));
        graph.Output.Add(new ValueInfoProto
        {
            Name = loss,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float, Shape = new TensorShapeProto() } },
        });

        return new LossGraph(new OnnxModel(model), loss, "cross_entropy", [LabelsInput]);
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
