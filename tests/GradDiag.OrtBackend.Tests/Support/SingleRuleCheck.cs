using Google.Protobuf;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>
/// Runs one gradient rule on one node outside <see cref="GradientGraphBuilder"/>, for operator forms of
/// opsets below the builder's minimum of 13: the node's output gets a fixed random upstream gradient R,
/// and the rule's input gradients are compared with central differences of Σ R·Y.
/// </summary>
internal static class SingleRuleCheck
{
    /// <summary>Checks the gradients of <paramref name="parameters"/> (initializers of the builder's graph) through its last node.</summary>
    public static GradientCheckResult Check(GraphBuilder builder, long[] outputDims, string[] parameters)
    {
        var graph = builder.Graph;
        var nodeIndex = graph.Node.Count - 1;
        var output = graph.Node[nodeIndex].Output[0];
        var loss = builder.WeightedSumLoss(output, outputDims);
        var upstream = graph.Initializer.Last(t => t.Name.StartsWith("loss_weights", StringComparison.Ordinal)).Name;

        var training = BackwardModel(builder.Model, nodeIndex, output, upstream, parameters);
        var elementType = builder.ElementType;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var trainingSession = new InferenceSession(training.ToByteArray(), options);
        var analytic = parameters.ToDictionary(p => p, p => RunOutputs(trainingSession, [], p + "_grad"));

        var numeric = new Dictionary<string, double[]>();
        foreach (var parameter in parameters)
        {
            var tensor = graph.Initializer.Single(t => t.Name == parameter);
            var values = Tensors.ToDoubles(tensor)!;
            var estimate = new double[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var h = GradientChecker.StepFor(elementType) * Math.Max(1.0, Math.Abs(values[i]));
                var plus = Round(values[i] + h, elementType);
                var minus = Round(values[i] - h, elementType);
                estimate[i] = (ForwardLoss(builder.Model, parameter, values, i, plus, loss, options)
                    - ForwardLoss(builder.Model, parameter, values, i, minus, loss, options)) / (plus - minus);
            }

            numeric[parameter] = estimate;
        }

        return new GradientCheckResult(double.NaN, analytic, numeric, new OnnxModel(training));
    }

    private static ModelProto BackwardModel(ModelProto source, int nodeIndex, string output, string upstream, string[] parameters)
    {
        var model = source.Clone();
        var graph = model.Graph;
        var opset = (int)OnnxModel.DefaultOpset(model);
        var types = TypeInference.Run(graph, opset);
        var names = graph.Node.SelectMany(n => n.Output).Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Input.Select(i => i.Name));
        var emitter = new GraphEmitter(types, names, opset, "grad/");
        var contributions = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var node = graph.Node[nodeIndex];
        var requiring = parameters.ToHashSet(StringComparer.Ordinal);
        var context = new GradientContext(
            node,
            nodeIndex,
            emitter,
            new Dictionary<string, string> { [output] = upstream },
            requiring.Contains,
            (name, gradient) =>
            {
                if (!contributions.TryGetValue(name, out var list))
                {
                    contributions[name] = list = [];
                }

                list.Add(gradient);
            });

        GradientRuleRegistry.Default.TryGet(node.Domain, node.OpType, out var rule).Should().BeTrue($"{node.OpType} must have a gradient rule");
        rule.Backward(context);

        foreach (var parameter in parameters)
        {
            var parts = contributions[parameter];
            var total = parts.Count == 1 ? parts[0] : emitter.Op("Sum", parts);
            emitter.OpInto(parameter + "_grad", "Identity", [total]);
            var info = types[parameter];
            graph.Output.Add(new ValueInfoProto
            {
                Name = parameter + "_grad",
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = info.ElementType } },
            });
        }

        graph.Node.AddRange(emitter.Nodes);
        graph.Initializer.AddRange(emitter.Initializers);
        return model;
    }

    private static double ForwardLoss(ModelProto source, string parameter, double[] values, int index, double value, string loss, SessionOptions options)
    {
        var model = source.Clone();
        var tensor = model.Graph.Initializer.Single(t => t.Name == parameter);
        var changed = (double[])values.Clone();
        changed[index] = value;
        var replacement = Tensors.FromDoubles(parameter, tensor.DataType, tensor.Dims.ToArray(), changed);
        model.Graph.Initializer[model.Graph.Initializer.IndexOf(tensor)] = replacement;
        using var session = new InferenceSession(model.ToByteArray(), options);
        return RunOutputs(session, [], loss)[0];
    }

    private static double[] RunOutputs(InferenceSession session, IReadOnlyList<OrtValue> inputs, string output)
    {
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [], inputs, [output]);
        var value = results[0];
        return value.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Double
            ? value.GetTensorDataAsSpan<double>().ToArray()
            : value.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray();
    }

    private static double Round(double value, int elementType) => elementType == DataTypes.Float ? (float)value : value;
}
