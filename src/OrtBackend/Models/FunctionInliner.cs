using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Models;

/// <summary>
/// Replaces calls to model-local functions (ModelProto.functions) with the function bodies, so that the
/// gradient builder works on standard operators only.
/// </summary>
internal static class FunctionInliner
{
    private const int MaxNestingDepth = 32;

    public static void InlineAll(ModelProto model, string source)
    {
        if (model.Functions.Count == 0)
        {
            return;
        }

        var functions = new Dictionary<(string Domain, string Name, string Overload), FunctionProto>();
        foreach (var function in model.Functions)
        {
            if (!functions.TryAdd((function.Domain, function.Name, function.Overload), function))
            {
                throw new OnnxModelException(source, $"ModelProto.functions '{function.Domain}.{function.Name}'", "The function is defined more than once.");
            }

            CheckOpsets(model, function, source);
        }

        var usedNames = CollectNames(model.Graph);
        var inliner = new Inliner(functions, usedNames, source);
        var nodes = new List<NodeProto>();
        foreach (var node in model.Graph.Node)
        {
            inliner.Expand(node, nodes, 0);
        }

        model.Graph.Node.Clear();
        model.Graph.Node.AddRange(nodes);
        model.Functions.Clear();
    }

    private static void CheckOpsets(ModelProto model, FunctionProto function, string source)
    {
        foreach (var import in function.OpsetImport)
        {
            var domain = import.Domain == "ai.onnx" ? string.Empty : import.Domain;
            var modelImport = model.OpsetImport.FirstOrDefault(o => (o.Domain == "ai.onnx" ? string.Empty : o.Domain) == domain);
            if (modelImport is null)
            {
                model.OpsetImport.Add(new OperatorSetIdProto { Domain = import.Domain, Version = import.Version });
            }
            else if (modelImport.Version != import.Version)
            {
                throw new OnnxModelException(source, $"ModelProto.functions '{function.Name}'.opset_import['{import.Domain}']", "The function imports a different opset than the model, so its body cannot be inlined.", $"version {modelImport.Version}", $"version {import.Version}");
            }
        }
    }

    private static HashSet<string> CollectNames(GraphProto graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(graph.Input.Select(i => i.Name));
        names.UnionWith(graph.Initializer.Select(i => i.Name));
        foreach (var node in graph.Node)
        {
            names.UnionWith(node.Output);
        }

        return names;
    }

    private sealed class Inliner(Dictionary<(string Domain, string Name, string Overload), FunctionProto> functions, HashSet<string> usedNames, string source)
    {
        private int callCount;

        public void Expand(NodeProto node, List<NodeProto> output, int depth)
        {
            if (!functions.TryGetValue((node.Domain, node.OpType, node.Overload), out var function))
            {
                output.Add(node);
                return;
            }

            if (depth >= MaxNestingDepth)
            {
                throw new OnnxModelException(source, $"function '{function.Name}'", "Function calls are nested too deeply or recursive.", $"at most {MaxNestingDepth} levels", $"{depth}");
            }

            if (node.Input.Count > function.Input.Count || node.Output.Count > function.Output.Count)
            {
                throw new OnnxModelException(source, $"node '{node.Name}' ({node.OpType})", "The call passes more inputs or outputs than the function declares.", $"{function.Input.Count} inputs, {function.Output.Count} outputs", $"{node.Input.Count} inputs, {node.Output.Count} outputs");
            }

            var prefix = $"{(node.Name.Length > 0 ? node.Name : function.Name)}/inlined{callCount++}/";
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < function.Input.Count; i++)
            {
                renames[function.Input[i]] = i < node.Input.Count ? node.Input[i] : string.Empty;
            }

            for (var i = 0; i < function.Output.Count; i++)
            {
                var actual = i < node.Output.Count ? node.Output[i] : string.Empty;
                renames[function.Output[i]] = actual.Length > 0 ? actual : Fresh(prefix + function.Output[i]);
            }

            foreach (var inner in function.Node)
            {
                if (inner.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))
                {
                    throw new OnnxModelException(source, $"function '{function.Name}' node '{inner.Name}' ({inner.OpType})", "Functions whose body contains subgraphs cannot be inlined.");
                }

                var copy = new NodeProto
                {
                    Name = prefix + inner.Name,
                    OpType = inner.OpType,
                    Domain = inner.Domain,
                    Overload = inner.Overload,
                    DocString = inner.DocString,
                };
                copy.Input.AddRange(inner.Input.Select(name => Rename(name, renames, prefix)));
                copy.Output.AddRange(inner.Output.Select(name => Rename(name, renames, prefix)));
                foreach (var attribute in inner.Attribute)
                {
                    var resolved = ResolveAttribute(attribute, node, function);
                    if (resolved is not null)
                    {
                        copy.Attribute.Add(resolved);
                    }
                }

                Expand(copy, output, depth + 1);
            }
        }

        private string Rename(string name, Dictionary<string, string> renames, string prefix)
        {
            if (name.Length == 0)
            {
                return name;
            }

            if (!renames.TryGetValue(name, out var renamed))
            {
                renamed = Fresh(prefix + name);
                renames[name] = renamed;
            }

            return renamed;
        }

        private string Fresh(string name)
        {
            if (!usedNames.Add(name))
            {
                throw new OnnxModelException(source, $"value '{name}'", "Inlining a function would create a value name that the model already uses.");
            }

            return name;
        }

        private static AttributeProto? ResolveAttribute(AttributeProto attribute, NodeProto call, FunctionProto function)
        {
            if (attribute.RefAttrName.Length == 0)
            {
                return attribute.Clone();
            }

            var actual = call.Attribute.FirstOrDefault(a => a.Name == attribute.RefAttrName)
                ?? function.AttributeProto.FirstOrDefault(a => a.Name == attribute.RefAttrName);
            if (actual is null)
            {
                // The caller did not set the attribute and the function has no default: the inner node uses its own default.
                return null;
            }

            var copy = actual.Clone();
            copy.Name = attribute.Name;
            return copy;
        }
    }
}
