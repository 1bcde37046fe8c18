using System.Text;
using System.Text.RegularExpressions;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Standalone;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>
/// Selects the trainable parameters of a forward model: every floating-point initializer, minus
/// BatchNormalization running statistics (inputs 3 and 4), names matching a freeze pattern, and
/// initializers that no node reads.
/// </summary>
internal static class TrainableParameterSelector
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    /// <exception cref="ArgumentException">A pattern is not a valid regular expression.</exception>
    /// <exception cref="ArtifactException">The graph has a cycle, so it cannot be sorted.</exception>
    public static ParameterSelection Select(ModelProto model, IReadOnlyCollection<string> frozenPatterns, ParameterPatternSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(frozenPatterns);
        var patterns = frozenPatterns.Select(p => ToRegex(p, syntax)).ToArray();
        var graph = model.Graph;
        var initializers = graph.Initializer
            .Where(t => DataTypes.IsDifferentiable(t.DataType))
            .ToDictionary(t => t.Name, t => new ParameterSpec(t.Name, t.DataType, t.Dims.ToArray()), StringComparer.Ordinal);

        var runningStatistics = graph.Node
            .Where(n => n.OpType == "BatchNormalization" && n.Domain is "" or "ai.onnx")
            .SelectMany(n => n.Input.Skip(3).Take(2))
            .ToHashSet(StringComparer.Ordinal);

        var notDifferentiable = NotDifferentiableReads(graph);
        var trainable = new List<ParameterSpec>();
        var frozen = new List<(ParameterSpec, FrozenReason)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in NamesInUseOrder(graph))
        {
            if (!initializers.TryGetValue(name, out var parameter) || !seen.Add(name))
            {
                continue;
            }

            if (runningStatistics.Contains(name))
            {
                frozen.Add((parameter, FrozenReason.RunningStatistic));
            }
            else if (patterns.Any(p => p.IsMatch(name)))
            {
                frozen.Add((parameter, FrozenReason.NamePattern));
            }
            else if (notDifferentiable.Contains(name))
            {
                frozen.Add((parameter, FrozenReason.NotDifferentiable));
            }
            else
            {
                trainable.Add(parameter);
            }
        }

        foreach (var tensor in graph.Initializer)
        {
            if (initializers.TryGetValue(tensor.Name, out var parameter) && seen.Add(tensor.Name))
            {
                frozen.Add((parameter, FrozenReason.Unused));
            }
        }

        return new ParameterSelection(trainable, frozen);
    }

    /// <summary>
    /// Returns the names that main-graph nodes read only at an input without a gradient, Dropout's ratio (input 1).
    /// A name that a subgraph reads is not among them.
    /// </summary>
    private static HashSet<string> NotDifferentiableReads(GraphProto graph)
    {
        var withoutGradient = new HashSet<string>(StringComparer.Ordinal);
        var withGradient = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            var standard = node.Domain is "" or "ai.onnx";
            for (var i = 0; i < node.Input.Count; i++)
            {
                var reads = standard && node.OpType == "Dropout" && i == 1 ? withoutGradient : withGradient;
                reads.Add(node.Input[i]);
            }

            foreach (var subgraph in node.Attribute.Where(a => a.G is not null).Select(a => a.G).Concat(node.Attribute.SelectMany(a => a.Graphs)))
            {
                AddSubgraphReads(subgraph, withGradient);
            }
        }

        withoutGradient.ExceptWith(withGradient);
        return withoutGradient;
    }

    private static void AddSubgraphReads(GraphProto graph, HashSet<string> reads)
    {
        foreach (var node in graph.Node)
        {
            reads.UnionWith(node.Input);
            foreach (var subgraph in node.Attribute.Where(a => a.G is not null).Select(a => a.G).Concat(node.Attribute.SelectMany(a => a.Graphs)))
            {
                AddSubgraphReads(subgraph, reads);
            }
        }
    }

    /// <summary>
    /// Returns the value names read by the nodes in topological order (stable: among ready nodes the one
    /// earliest in the file goes first), including outer-scope names read inside subgraphs.
    /// </summary>
    private static IEnumerable<string> NamesInUseOrder(GraphProto graph)
    {
        foreach (var node in TopologicalOrder(graph))
        {
            foreach (var input in node.Input)
            {
                yield return input;
            }

            foreach (var attribute in node.Attribute)
            {
                foreach (var subgraph in attribute.Graphs.Append(attribute.G).Where(g => g is not null))
                {
                    foreach (var name in NamesInUseOrder(subgraph))
                    {
                        yield return name;
                    }
                }
            }
        }
    }

    private static List<NodeProto> TopologicalOrder(GraphProto graph)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            foreach (var output in graph.Node[i].Output.Where(o => o.Length > 0))
            {
                producer[output] = i;
            }
        }

        var pending = new int[graph.Node.Count];
        var consumers = Enumerable.Range(0, graph.Node.Count).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < graph.Node.Count; i++)
        {
            foreach (var input in graph.Node[i].Input.Distinct())
            {
                if (producer.TryGetValue(input, out var source) && source != i)
                {
                    pending[i]++;
                    consumers[source].Add(i);
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<NodeProto>();
        while (ready.TryDequeue(out var index, out _))
        {
            order.Add(graph.Node[index]);
            foreach (var consumer in consumers[index])
            {
                if (--pending[consumer] == 0)
                {
                    ready.Enqueue(consumer, consumer);
                }
            }
        }

        if (order.Count != graph.Node.Count)
        {
            throw new ArtifactException($"The graph '{graph.Name}' has a cycle among its nodes, so it has no topological order.");
        }

        return order;
    }

    private static Regex ToRegex(string pattern, ParameterPatternSyntax syntax)
    {
        if (syntax == ParameterPatternSyntax.Regex)
        {
            try
            {
                return new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, PatternTimeout);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"The freeze pattern '{pattern}' is not a valid regular expression: {ex.Message}", nameof(pattern), ex);
            }
        }

        var builder = new StringBuilder("^");
        foreach (var c in pattern)
        {
            builder.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }

        return new Regex(builder.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, PatternTimeout);
    }
}
