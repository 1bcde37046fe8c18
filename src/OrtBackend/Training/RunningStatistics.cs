using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Standalone;

namespace GradDiag.OrtBackend.Training;

/// <summary>A BatchNormalization running statistic that the backend updates: its name, shape and the training-model output with its new value.</summary>
internal sealed record RunningStatistic(string Name, long[] Dims, string UpdatedOutput);

/// <summary>
/// Rewrites the training and eval models so that BatchNormalization running statistics become graph
/// inputs the backend feeds and, in the training model, graph outputs with their updated values.
/// </summary>
/// <remarks>
/// Only training-mode nodes of opset 14 and later (attribute training_mode = 1) are handled; there outputs 1
/// and 2 are running·momentum + batch·(1 − momentum) for the mean and the variance.
/// </remarks>
internal static class RunningStatistics
{
    /// <summary>Exposes the running statistics of the training model and returns them in node order.</summary>
    public static List<RunningStatistic> ExposeInTraining(ModelProto model)
    {
        var graph = model.Graph;
        var result = new List<RunningStatistic>();
        foreach (var node in TrainingModeNodes(model))
        {
            while (node.Output.Count < 3)
            {
                node.Output.Add(string.Empty);
            }

            for (var slot = 1; slot <= 2; slot++)
            {
                var name = node.Input[slot + 2];
                var initializer = graph.Initializer.FirstOrDefault(t => t.Name == name);
                if (initializer is null || initializer.DataType != DataTypes.Float || result.Any(r => r.Name == name))
                {
                    // NOTE: a running statistic that is a graph input, not FLOAT, or shared by two nodes stays as it is.
                    continue;
                }

                if (node.Output[slot].Length == 0)
                {
                    node.Output[slot] = name + "/running_update";
                }

                var dims = initializer.Dims.ToArray();
                MoveToInput(graph, initializer);
                graph.Output.Add(StandaloneGraph.ValueInfo(node.Output[slot], new TensorInfo(DataTypes.Float, dims)));
                result.Add(new RunningStatistic(name, dims, node.Output[slot]));
            }
        }

        return result;
    }

    /// <summary>Switches the eval model's training-mode nodes to inference mode and makes the given running statistics graph inputs.</summary>
    public static void ToInferenceMode(ModelProto model, IReadOnlyCollection<RunningStatistic> statistics)
    {
        foreach (var node in TrainingModeNodes(model))
        {
            var attribute = node.Attribute.First(a => a.Name == "training_mode");
            attribute.I = 0;
            while (node.Output.Count > 1)
            {
                node.Output.RemoveAt(node.Output.Count - 1);
            }
        }

        foreach (var statistic in statistics)
        {
            var initializer = model.Graph.Initializer.FirstOrDefault(t => t.Name == statistic.Name);
            if (initializer is not null)
            {
                MoveToInput(model.Graph, initializer);
            }
        }
    }

    private static List<NodeProto> TrainingModeNodes(ModelProto model)
    {
        if (OnnxModel.DefaultOpset(model) < 14)
        {
            return [];
        }

        return model.Graph.Node
            .Where(n => n.OpType == "BatchNormalization" && n.Domain is "" or "ai.onnx" && n.Input.Count == 5)
            .Where(n => n.Attribute.Any(a => a.Name == "training_mode" && a.I != 0))
            .ToList();
    }

    private static void MoveToInput(GraphProto graph, TensorProto initializer)
    {
        graph.Initializer.Remove(initializer);
        graph.Input.Add(StandaloneGraph.ValueInfo(initializer.Name, new TensorInfo(initializer.DataType, initializer.Dims.ToArray())));
    }
}
