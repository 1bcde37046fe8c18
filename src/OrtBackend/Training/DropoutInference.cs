using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Training;

/// <summary>Switches Dropout nodes of an eval or exported model to inference mode, where they pass their input through.</summary>
internal static class DropoutInference
{
    private const string InferenceModeName = "graddiag/dropout_training_mode_false";

    /// <summary>
    /// Points input 2 (training_mode, opset 12 and later) of every Dropout node that has one at a FALSE
    /// constant and returns how many nodes changed. Nodes without that input already run in inference mode.
    /// </summary>
    public static int Apply(ModelProto model)
    {
        var graph = model.Graph;
        var changed = 0;
        foreach (var node in graph.Node.Where(n => n.OpType == "Dropout" && n.Domain is "" or "ai.onnx" && n.Input.Count >= 3 && n.Input[2].Length > 0))
        {
            node.Input[2] = InferenceModeName;
            changed++;
        }

        if (changed > 0 && !graph.Initializer.Any(t => t.Name == InferenceModeName))
        {
            graph.Initializer.Add(Tensors.FromBools(InferenceModeName, [], [false]));
        }

        return changed;
    }
}
