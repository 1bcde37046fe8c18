using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Finds the label values a class-index loss ignores: <see cref="Losses.LossBuilder"/> compares the labels with
/// <c>LossOptions.IgnoreIndex</c> through an Equal node whose other input is an INT64 scalar initializer.
/// </summary>
internal static class IgnoredLabels
{
    /// <summary>Returns the INT64 scalars that an Equal node compares one of <paramref name="labelInputs"/> with.</summary>
    public static HashSet<long> Find(ModelProto model, IReadOnlySet<string> labelInputs)
    {
        var result = new HashSet<long>();
        var graph = model.Graph;
        foreach (var node in graph.Node.Where(n => n.OpType == "Equal" && n.Input.Count == 2))
        {
            var other = labelInputs.Contains(node.Input[0]) ? node.Input[1] : labelInputs.Contains(node.Input[1]) ? node.Input[0] : null;
            var constant = other is null ? null : graph.Initializer.FirstOrDefault(t => t.Name == other);
            if (constant is not null && Tensors.ToInt64s(constant) is [var value])
            {
                result.Add(value);
            }
        }

        return result;
    }
}
