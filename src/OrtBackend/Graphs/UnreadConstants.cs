using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Graphs;

/// <summary>Removes the initializers and Constant nodes of a graph that nothing reads.</summary>
/// <remarks>
/// Rewrites such as switching Dropout to inference mode leave the old training_mode constant behind. ONNX Runtime
/// would drop it too, but with a warning per value each time a session is created.
/// </remarks>
internal static class UnreadConstants
{
    /// <summary>Removes every initializer and Constant node whose value no node (or subgraph) reads and no graph output names; returns how many.</summary>
    public static int Remove(GraphProto graph)
    {
        var read = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        AddReads(graph, read);

        var removed = 0;
        foreach (var initializer in graph.Initializer.Where(t => !read.Contains(t.Name)).ToList())
        {
            graph.Initializer.Remove(initializer);
            removed++;

            // A graph input that the initializer gave a default (models before IR 4 list every initializer as an
            // input) would otherwise become an input that each run must feed.
            foreach (var input in graph.Input.Where(i => i.Name == initializer.Name).ToList())
            {
                graph.Input.Remove(input);
            }
        }

        foreach (var node in graph.Node.Where(n => n.OpType == "Constant" && n.Domain is "" or "ai.onnx" && n.Output.All(o => !read.Contains(o))).ToList())
        {
            graph.Node.Remove(node);
            removed++;
        }

        return removed;
    }

    private static void AddReads(GraphProto graph, HashSet<string> read)
    {
        foreach (var node in graph.Node)
        {
            read.UnionWith(node.Input.Where(name => name.Length > 0));
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is not null)
                {
                    AddReads(attribute.G, read);
                }

                foreach (var subgraph in attribute.Graphs)
                {
                    AddReads(subgraph, read);
                }
            }
        }
    }
}
