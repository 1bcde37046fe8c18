using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>
/// Appends a mean-reduced loss to a forward model in standard operators of the model's opset (13 or
/// later), with a new graph input for the targets or labels and the loss as a new graph output.
/// </summary>
/// <remarks>
/// NOTE: this is a stand-in until the gradient builder has its own loss attachment. The fixture tests
/// should switch to that API when it lands.
/// </remarks>
internal static class TrainingLoss
{
    public const string LossName = "loss";

    /// <summary>Appends MSE, ReduceMean((prediction − target)²) over every element, with the FLOAT input <paramref name="target"/>.</summary>
    public static ModelProto AttachMse(ModelProto forward, string prediction, string target, long[] targetShape)
    {
        var model = forward.Clone();
        var graph = model.Graph;
        graph.Input.Add(Value(target, DataTypes.Float, targetShape));
        var difference = Add(graph, "Sub", [prediction, target]);
        var squared = Add(graph, "Mul", [difference, difference]);
        Add(graph, "ReduceMean", [squared], LossName, Attributes.Int("keepdims", 0));
        graph.Output.Add(Value(LossName, DataTypes.Float, []));
        return model;
    }

    /// <summary>
    /// Appends cross-entropy over class indices on axis 1, −mean over the batch of Σ_c LogSoftmax(prediction)·onehot(label),
    /// with the INT64 input <paramref name="labels"/>.
    /// </summary>
    public static ModelProto AttachCrossEntropy(ModelProto forward, string prediction, string labels, long batch, long classes)
    {
        var model = forward.Clone();
        var graph = model.Graph;
        graph.Input.Add(Value(labels, DataTypes.Int64, [batch]));
        graph.Initializer.Add(Tensors.FromInt64s("loss/classes", [classes], Enumerable.Range(0, (int)classes).Select(c => (long)c).ToArray()));
        graph.Initializer.Add(Tensors.FromInt64s("loss/axis1", [1], [1]));

        var logProbabilities = Add(graph, "LogSoftmax", [prediction], null, Attributes.Int("axis", 1));
        var column = Add(graph, "Unsqueeze", [labels, "loss/axis1"]);
        var oneHot = Add(graph, "Cast", [Add(graph, "Equal", [column, "loss/classes"])], null, Attributes.Int("to", DataTypes.Float));
        var picked = Add(graph, "ReduceSum", [Add(graph, "Mul", [logProbabilities, oneHot]), "loss/axis1"], null, Attributes.Int("keepdims", 0));
        var mean = Add(graph, "ReduceMean", [picked], null, Attributes.Int("keepdims", 0));
        Add(graph, "Neg", [mean], LossName);
        graph.Output.Add(Value(LossName, DataTypes.Float, []));
        return model;
    }

    private static string Add(GraphProto graph, string opType, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        var name = $"loss/{opType}_{graph.Node.Count}";
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output ?? name);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return node.Output[0];
    }

    private static ValueInfoProto Value(string name, int elementType, long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } } };
    }
}
