using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.Cli.Models;

/// <summary>Describes an ONNX model from its protobuf messages and the gradient builder's view of it.</summary>
internal static class ModelInspector
{
    /// <summary>Loads <paramref name="path"/> and describes it.</summary>
    /// <exception cref="OnnxModelException">The file is not a valid ONNX model; the message names the field.</exception>
    public static ModelDescription Describe(string path)
    {
        OnnxModel model = OnnxModel.Load(path);
        GraphProto graph = model.Proto.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        // Models of IR version 3 and older also list their initializers as graph inputs.
        List<ValueDescription> inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).Select(DescribeValue).ToList();
        List<ValueDescription> outputs = graph.Output.Select(DescribeValue).ToList();

        ParameterSelection selection = TrainableParameterSelector.Select(model.Proto, [], ParameterPatternSyntax.Glob);
        List<ParameterDescription> trainable = selection.Trainable
            .Select((p, depth) => new ParameterDescription(depth, p.Name, DataTypes.Name(p.ElementType), p.Dims, p.ElementCount, null))
            .ToList();
        List<ParameterDescription> frozen = selection.Frozen
            .Select(f => new ParameterDescription(-1, f.Parameter.Name, DataTypes.Name(f.Parameter.ElementType), f.Parameter.Dims, f.Parameter.ElementCount, TrainingArtifactBuilder.ReasonName(f.Reason)))
            .ToList();

        var supported = GradientGraphBuilder.SupportedOperators.ToHashSet(StringComparer.Ordinal);
        List<OperatorCount> operators = graph.Node
            .GroupBy(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}", StringComparer.Ordinal)
            .Select(g => new OperatorCount(g.Key, g.Count(), supported.Contains(g.Key)))
            .OrderByDescending(o => o.Count)
            .ThenBy(o => o.Operator, StringComparer.Ordinal)
            .ToList();

        return new ModelDescription(
            Path.GetFullPath(path),
            model.IrVersion,
            model.Opset,
            inputs,
            outputs,
            trainable,
            frozen,
            operators,
            GradientGraphBuilder.FindUnsupportedOperators(model));
    }

    private static ValueDescription DescribeValue(ValueInfoProto value)
    {
        if (value.Type?.TensorType is not { } tensor)
        {
            string kind = value.Type?.ValueCase.ToString() ?? "unknown";
            return new ValueDescription(value.Name, kind, []);
        }

        IReadOnlyList<string> shape = tensor.Shape is null
            ? ["(unknown rank)"]
            : tensor.Shape.Dim.Select(DescribeDimension).ToList();
        return new ValueDescription(value.Name, DataTypes.Name(tensor.ElemType), shape);
    }

    private static string DescribeDimension(TensorShapeProto.Types.Dimension dimension) => dimension.ValueCase switch
    {
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => dimension.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => dimension.DimParam,
        _ => "?",
    };
}
