using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Gradients;

/// <summary>
/// Builds a training model from a forward model with a scalar loss: the forward graph followed by a
/// reverse-mode gradient graph in standard ONNX operators, with one output <c>{parameter}_grad</c> per
/// trainable parameter.
/// </summary>
/// <remarks>
/// The training model's outputs are the loss, the forward model's other outputs, then the gradients in
/// parameter order. With <see cref="GradientBuilderOptions.ParametersAsInputs"/> the parameters are graph
/// inputs appended after the original inputs. Operators are emitted in the forms of the model's declared
/// default-domain opset, which must be 13 or later.
/// </remarks>
public static class GradientGraphBuilder
{
    /// <summary>The lowest default-domain opset the builder accepts (ReduceSum, Squeeze, Unsqueeze and Split take tensors as inputs from 13).</summary>
    public const int MinimumOpset = 13;

    /// <summary>Gets the operator types (default domain) that have a gradient rule or are non-differentiable, sorted.</summary>
    public static IReadOnlyList<string> SupportedOperators => GradientRuleRegistry.Default.OpTypes;

    /// <summary>Builds the training model.</summary>
    /// <param name="model">The forward model.</param>
    /// <param name="lossOutputName">The name of the scalar loss value (usually a graph output).</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    /// <returns>A new model; <paramref name="model"/> is not changed.</returns>
    /// <exception cref="GradientBuildException">An operator has no rule, the loss is not a scalar, or a parameter is unknown.</exception>
    public static OnnxModel Build(OnnxModel model, string lossOutputName, GradientBuilderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(lossOutputName);
        return new OnnxModel(Build(model.Proto, lossOutputName, options ?? new GradientBuilderOptions(), GradientRuleRegistry.Default));
    }

    /// <summary>
    /// Lists the nodes whose operators have no gradient rule, as <c>OpType (node 'name', index i)</c>, in
    /// graph order. Operators of other domains are listed with their domain.
    /// </summary>
    /// <param name="model">The model to inspect.</param>
    /// <returns>One entry per unsupported node; empty when every operator is supported.</returns>
    public static IReadOnlyList<string> FindUnsupportedOperators(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var registry = GradientRuleRegistry.Default;
        var nodes = model.Proto.Graph.Node;
        var unsupported = new List<string>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (!registry.TryGet(node.Domain, node.OpType, out _))
            {
                var op = node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}";
                unsupported.Add($"{op} (node '{node.Name}', index {i})");
            }
        }

        return unsupported;
    }

    internal static ModelProto Build(ModelProto source, string lossName, GradientBuilderOptions options, GradientRuleRegistry registry)
    {
        var opset = (int)OnnxModel.DefaultOpset(source);
        if (opset < MinimumOpset)
        {
            throw new GradientBuildException($"The model declares default-domain opset {opset}; the gradient builder needs opset {MinimumOpset} or later. Convert the model to a newer opset first.");
        }

        var model = source.Clone();
        var graph = model.Graph;
        var types = TypeInference.Run(graph, opset);
        var parameters = ResolveParameters(graph, options, types);
        CheckLoss(graph, lossName, types);

        var requiring = ForwardReach(graph, parameters, registry, types);
        if (!requiring.Contains(lossName))
        {
            throw new GradientBuildException($"The loss '{lossName}' does not depend on any trainable parameter ({string.Join(", ", parameters)}), so every gradient would be zero.");
        }

        var emitter = new GraphEmitter(types, CollectNames(graph), opset, options.NamePrefix);
        var contributions = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var gradients = new Dictionary<string, string>(StringComparer.Ordinal);
        AddContribution(contributions, lossName, Seed(emitter, lossName, types[lossName]));

        for (var index = graph.Node.Count - 1; index >= 0; index--)
        {
            var node = graph.Node[index];
            var reached = false;
            foreach (var output in node.Output)
            {
                if (output.Length > 0 && contributions.TryGetValue(output, out var parts))
                {
                    gradients[output] = Accumulate(emitter, parts);
                    reached = true;
                }
            }

            if (!reached || !node.Input.Any(requiring.Contains))
            {
                continue;
            }

            if (!registry.TryGet(node.Domain, node.OpType, out var rule))
            {
                throw UnsupportedOperator(node, index, registry);
            }

            if (!rule.IsDifferentiable)
            {
                continue;
            }

            var context = new GradientContext(node, index, emitter, gradients, requiring.Contains, (name, gradient) => AddContribution(contributions, name, gradient));
            rule.Backward(context);
        }

        var gradientOutputs = EmitParameterGradients(emitter, parameters, contributions, options, types);
        Assemble(model, emitter, parameters, lossName, gradientOutputs, options, types);
        return model;
    }

    private static List<string> ResolveParameters(GraphProto graph, GradientBuilderOptions options, TypeInference types)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToList();
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        List<string> parameters;
        if (options.TrainableParameters is null)
        {
            var frozen = options.FrozenParameters.ToHashSet(StringComparer.Ordinal);
            parameters = initializers.Where(n => DataTypes.IsDifferentiable(types[n].ElementType) && !frozen.Contains(n)).ToList();
        }
        else
        {
            parameters = options.TrainableParameters.Distinct(StringComparer.Ordinal).ToList();
            foreach (var name in parameters)
            {
                if (!initializers.Contains(name) && !inputs.Contains(name))
                {
                    throw new GradientBuildException($"The trainable parameter '{name}' is neither an initializer nor a graph input of the model.");
                }

                if (!DataTypes.IsDifferentiable(types[name].ElementType))
                {
                    throw new GradientBuildException($"The trainable parameter '{name}' has element type {DataTypes.Name(types[name].ElementType)}; only FLOAT, DOUBLE, FLOAT16 and BFLOAT16 values have gradients.");
                }
            }
        }

        if (parameters.Count == 0)
        {
            throw new GradientBuildException("The model has no trainable parameters: it has no floating-point initializers, or all of them are frozen.");
        }

        return parameters;
    }

    private static void CheckLoss(GraphProto graph, string lossName, TypeInference types)
    {
        var produced = graph.Node.Any(n => n.Output.Contains(lossName)) || graph.Input.Any(i => i.Name == lossName);
        if (!produced)
        {
            throw new GradientBuildException($"The loss '{lossName}' is not a value of the model. Graph outputs: {string.Join(", ", graph.Output.Select(o => o.Name))}.");
        }

        var info = types[lossName];
        if (info.ElementType != 0 && !DataTypes.IsDifferentiable(info.ElementType))
        {
            throw new GradientBuildException($"The loss '{lossName}' has element type {DataTypes.Name(info.ElementType)}; it must be a floating-point scalar.");
        }

        if (info.Dims is { } dims && dims.Any(d => d != 1))
        {
            throw new GradientBuildException($"The loss '{lossName}' has shape {info}; it must be a scalar (or hold one element). Reduce it with ReduceMean or ReduceSum first.");
        }
    }

    /// <summary>Returns every value through which some parameter's gradient can flow.</summary>
    private static HashSet<string> ForwardReach(GraphProto graph, List<string> parameters, GradientRuleRegistry registry, TypeInference types)
    {
        var requiring = new HashSet<string>(parameters, StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (!node.Input.Any(requiring.Contains))
            {
                continue;
            }

            if (registry.TryGet(node.Domain, node.OpType, out var rule) && !rule.IsDifferentiable)
            {
                continue;
            }

            foreach (var output in node.Output)
            {
                var type = types[output].ElementType;
                if (output.Length > 0 && (type == 0 || DataTypes.IsDifferentiable(type)))
                {
                    requiring.Add(output);
                }
            }
        }

        return requiring;
    }

    private static HashSet<string> CollectNames(GraphProto graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(graph.Input.Select(i => i.Name));
        names.UnionWith(graph.Output.Select(i => i.Name));
        names.UnionWith(graph.Initializer.Select(i => i.Name));
        names.UnionWith(graph.ValueInfo.Select(i => i.Name));
        foreach (var node in graph.Node)
        {
            names.UnionWith(node.Output);
            names.Add(node.Name);
        }

        return names;
    }

    private static string Seed(GraphEmitter emitter, string lossName, TensorInfo info)
    {
        var type = info.ElementType != 0 ? info.ElementType : DataTypes.Float;
        if (info.Rank == 0)
        {
            return emitter.Scalar(1.0, type);
        }

        return emitter.Op("ConstantOfShape", [emitter.Shape(lossName)], Attributes.Tensor("value", Tensors.FromDoubles(string.Empty, type, [1], [1.0])));
    }

    private static void AddContribution(Dictionary<string, List<string>> contributions, string name, string gradient)
    {
        if (!contributions.TryGetValue(name, out var list))
        {
            list = [];
            contributions[name] = list;
        }

        list.Add(gradient);
    }

    private static string Accumulate(GraphEmitter emitter, List<string> parts) =>
        parts.Count == 1 ? parts[0] : emitter.Op("Sum", parts);

    private static GradientBuildException UnsupportedOperator(NodeProto node, int index, GradientRuleRegistry registry)
    {
        var op = node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}";
        return new GradientBuildException(
            $"No gradient rule for operator '{op}' at {node.Describe(index)}, which lies between a trainable parameter and the loss. Supported operators: {string.Join(", ", registry.OpTypes)}.",
            node.OpType,
            node.Name,
            index);
    }

    private static List<(string Parameter, string Output)> EmitParameterGradients(
        GraphEmitter emitter, List<string> parameters, Dictionary<string, List<string>> contributions, GradientBuilderOptions options, TypeInference types)
    {
        var outputs = new List<(string, string)>();
        foreach (var parameter in parameters)
        {
            var outputName = parameter + options.GradientSuffix;
            if (!emitter.TryReserve(outputName))
            {
                throw new GradientBuildException($"The gradient output name '{outputName}' is already used in the model; set GradientBuilderOptions.GradientSuffix to another suffix.");
            }

            // A parameter that the loss does not reach gets a zero gradient, so every parameter has an output.
            var gradient = contributions.TryGetValue(parameter, out var parts)
                ? Accumulate(emitter, parts)
                : emitter.ZerosLike(parameter, types[parameter].ElementType);
            emitter.OpInto(outputName, "Identity", [gradient]);
            outputs.Add((parameter, outputName));
        }

        return outputs;
    }

    private static void Assemble(
        ModelProto model, GraphEmitter emitter, List<string> parameters, string lossName,
        List<(string Parameter, string Output)> gradientOutputs, GradientBuilderOptions options, TypeInference types)
    {
        var graph = model.Graph;
        graph.Node.AddRange(emitter.Nodes);

        if (options.ParametersAsInputs)
        {
            var parameterSet = parameters.ToHashSet(StringComparer.Ordinal);
            var moved = graph.Initializer.Where(t => parameterSet.Contains(t.Name)).ToList();
            var kept = graph.Initializer.Where(t => !parameterSet.Contains(t.Name)).ToList();
            graph.Initializer.Clear();
            graph.Initializer.AddRange(kept);
            var existingInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var tensor in moved)
            {
                if (!existingInputs.Contains(tensor.Name))
                {
                    graph.Input.Add(ValueInfo(tensor.Name, new TensorInfo(tensor.DataType, tensor.Dims.ToArray())));
                }
            }
        }

        graph.Initializer.AddRange(emitter.Initializers);

        var lossOutput = graph.Output.FirstOrDefault(o => o.Name == lossName) ?? ValueInfo(lossName, types[lossName]);
        var others = graph.Output.Where(o => o.Name != lossName).ToList();
        graph.Output.Clear();
        graph.Output.Add(lossOutput);
        graph.Output.AddRange(others);
        foreach (var (parameter, output) in gradientOutputs)
        {
            graph.Output.Add(ValueInfo(output, types[parameter]));
        }

        model.IrVersion = Math.Max(model.IrVersion, MinimumIrVersion(emitter.Opset));
    }

    private static ValueInfoProto ValueInfo(string name, TensorInfo info)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = info.ElementType };
        if (info.Dims is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var dim in info.Dims)
            {
                tensorType.Shape.Dim.Add(dim >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = dim } : new TensorShapeProto.Types.Dimension());
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>Returns the IR version of the ONNX release that introduced a default-domain opset.</summary>
    private static long MinimumIrVersion(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        <= 22 => 10,
        23 => 11,
        24 => 12,
        _ => 13,
    };
}
