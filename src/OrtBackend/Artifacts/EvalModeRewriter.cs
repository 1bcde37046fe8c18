using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>
/// Switches a graph's training-mode operators to inference behaviour for the eval model:
/// BatchNormalization normalizes with its running statistics, and Dropout passes values through.
/// </summary>
internal static class EvalModeRewriter
{
    /// <summary>Rewrites the nodes of <paramref name="graph"/> in place.</summary>
    /// <exception cref="ArtifactException">A node or graph output reads a BatchNormalization running-statistics output.</exception>
    public static void Apply(GraphProto graph)
    {
        var consumed = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            if (node.Domain is not ("" or "ai.onnx"))
            {
                continue;
            }

            if (node.OpType == "BatchNormalization")
            {
                ToInference(node, index, consumed);
            }
            else if (node.OpType == "Dropout" && node.Input.Count >= 3)
            {
                // An omitted training_mode input means false, so Dropout becomes the identity.
                node.Input.RemoveAt(2);
            }
        }

        UnreadConstants.Remove(graph);
    }

    /// <summary>
    /// Drops the training_mode attribute (opset 14 and later) and the running-statistics outputs, whose
    /// presence alone selects training mode before opset 14.
    /// </summary>
    private static void ToInference(NodeProto node, int index, HashSet<string> consumed)
    {
        for (var i = 1; i < node.Output.Count; i++)
        {
            var output = node.Output[i];
            if (output.Length > 0 && consumed.Contains(output))
            {
                throw new ArtifactException($"The eval model cannot switch {node.Describe(index)} to inference mode because output '{output}' (a running-statistics output) is read by a node or is a graph output.");
            }
        }

        while (node.Output.Count > 1)
        {
            node.Output.RemoveAt(node.Output.Count - 1);
        }

        var trainingMode = node.Find("training_mode");
        if (trainingMode is not null)
        {
            node.Attribute.Remove(trainingMode);
        }
    }
}
