using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Losses;

/// <summary>
/// Appends a loss to a forward model: a new target input, the loss nodes, and a scalar loss output placed
/// first among the outputs. The loss nodes use only operators that <see cref="GradientGraphBuilder"/>
/// differentiates, so the result can be passed to it directly.
/// </summary>
public static class LossBuilder
{
    /// <summary>Appends the loss described by <paramref name="options"/> to a copy of <paramref name="model"/>.</summary>
    /// <param name="model">The forward model.</param>
    /// <param name="predictionName">The value the loss compares with the target (logits for the cross-entropy losses).</param>
    /// <param name="options">The loss settings, or null for a mean squared error.</param>
    /// <returns>A new model whose first output is the loss.</returns>
    /// <exception cref="GradientBuildException">The prediction is unknown, has the wrong type or rank, or a name is taken.</exception>
    public static OnnxModel Append(OnnxModel model, string predictionName, LossOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(predictionName);
        options ??= new LossOptions();

        var proto = model.Proto.Clone();
        var graph = proto.Graph;
        var opset = (int)OnnxModel.DefaultOpset(proto);
        if (opset < GradientGraphBuilder.MinimumOpset)
        {
            throw new GradientBuildException($"The model declares default-domain opset {opset}; losses need opset {GradientGraphBuilder.MinimumOpset} or later.");
        }

        var types = TypeInference.Run(graph, opset);
        var prediction = types[predictionName];
        var isValue = graph.Node.Any(n => n.Output.Contains(predictionName)) || graph.Input.Any(i => i.Name == predictionName) || graph.Initializer.Any(t => t.Name == predictionName);
        if (!isValue)
        {
            throw new GradientBuildException($"The prediction '{predictionName}' is not a value of the model. Graph outputs: {string.Join(", ", graph.Output.Select(o => o.Name))}.");
        }

        if (!DataTypes.IsDifferentiable(prediction.ElementType))
        {
            throw new GradientBuildException($"The prediction '{predictionName}' has type {prediction}; a loss needs a floating-point prediction.");
        }

        var names = graph.Node.SelectMany(n => n.Output.Append(n.Name)).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Output.Select(o => o.Name));
        var emitter = new GraphEmitter(types, names, opset, "loss/");
        if (!emitter.TryReserve(options.LossName))
        {
            throw new GradientBuildException($"The loss name '{options.LossName}' is already used in the model; set LossOptions.LossName to another name.");
        }

        var isClassIndex = options.Kind is LossKind.CrossEntropy or LossKind.NegativeLogLikelihood;
        var targetName = options.TargetName ?? (isClassIndex ? "labels" : "target");
        if (options.Kind != LossKind.Scalar && !emitter.TryReserve(targetName))
        {
            throw new GradientBuildException($"The target input name '{targetName}' is already used in the model; set LossOptions.TargetName to another name.");
        }

        var loss = options.Kind switch
        {
            LossKind.MeanSquaredError => LossGraphs.MeanSquaredError(emitter, predictionName, targetName, options.Reduction),
            LossKind.BinaryCrossEntropyWithLogits => LossGraphs.BinaryCrossEntropyWithLogits(emitter, predictionName, targetName, options.Reduction),
            LossKind.CrossEntropy => LossGraphs.ClassIndexLoss(emitter, predictionName, targetName, options, fromLogits: true),
            LossKind.NegativeLogLikelihood => LossGraphs.ClassIndexLoss(emitter, predictionName, targetName, options, fromLogits: false),
            LossKind.Scalar => CheckScalar(predictionName, prediction),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown loss kind."),
        };
        emitter.OpInto(options.LossName, "Identity", [loss]);

        graph.Node.AddRange(emitter.Nodes);
        graph.Initializer.AddRange(emitter.Initializers);
        if (options.Kind != LossKind.Scalar)
        {
            graph.Input.Add(TargetInput(graph, predictionName, targetName, prediction, isClassIndex));
        }

        var lossType = new TypeProto.Types.Tensor { ElemType = prediction.ElementType, Shape = new TensorShapeProto() };
        graph.Output.Insert(0, new ValueInfoProto { Name = options.LossName, Type = new TypeProto { TensorType = lossType } });
        return new OnnxModel(proto);
    }

    private static string CheckScalar(string predictionName, TensorInfo prediction)
    {
        if (prediction.Dims is { } dims && dims.Any(d => d != 1))
        {
            throw new GradientBuildException($"The prediction '{predictionName}' has shape {prediction}; LossKind.Scalar needs a value with one element.");
        }

        return predictionName;
    }

    /// <summary>
    /// Returns the target's ValueInfo: the prediction's declared type (keeping dim_param names) or the
    /// inferred one, with INT64 elements and without the class axis 1 for class-index losses.
    /// </summary>
    private static ValueInfoProto TargetInput(GraphProto graph, string predictionName, string targetName, TensorInfo prediction, bool isClassIndex)
    {
        var declared = graph.Output.Concat(graph.ValueInfo).Concat(graph.Input).FirstOrDefault(v => v.Name == predictionName)?.Type?.TensorType;
        var tensorType = declared?.Clone() ?? new TypeProto.Types.Tensor { ElemType = prediction.ElementType };
        if (declared?.Shape is null && prediction.Dims is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            tensorType.Shape.Dim.AddRange(prediction.Dims.Select(d => d >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = d } : new TensorShapeProto.Types.Dimension()));
        }

        if (isClassIndex)
        {
            tensorType.ElemType = DataTypes.Int64;
            if (tensorType.Shape is { Dim.Count: >= 2 })
            {
                tensorType.Shape.Dim.RemoveAt(1);
            }
        }

        return new ValueInfoProto { Name = targetName, Type = new TypeProto { TensorType = tensorType } };
    }
}
