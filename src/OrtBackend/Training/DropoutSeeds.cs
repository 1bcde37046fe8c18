using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Training;

/// <summary>Writes a fixed <c>seed</c> attribute into every Dropout node, so a session draws a reproducible mask sequence.</summary>
internal static class DropoutSeeds
{
    /// <summary>Sets the seed of every Dropout node of the main graph and returns how many nodes were changed.</summary>
    public static int Apply(OnnxModel model, long seed)
    {
        var changed = 0;
        foreach (var node in model.Proto.Graph.Node.Where(n => n.OpType == "Dropout" && n.Domain is "" or "ai.onnx"))
        {
            var existing = node.Attribute.FirstOrDefault(a => a.Name == "seed");
            if (existing is not null)
            {
                node.Attribute.Remove(existing);
            }

            node.Attribute.Add(Attributes.Int("seed", seed));
            changed++;
        }

        return changed;
    }
}
