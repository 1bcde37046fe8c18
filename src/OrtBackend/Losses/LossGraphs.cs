using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Losses;

/// <summary>Emits the nodes of each loss function; every function returns the name of the scalar loss.</summary>
internal static class LossGraphs
{
    public static string MeanSquaredError(GraphEmitter emit, string prediction, string target, LossReduction reduction)
    {
        var difference = emit.Op("Sub", [prediction, target]);
        var squared = emit.Op("Mul", [difference, difference]);
        return Reduce(emit, squared, reduction);
    }

    /// <summary>
    /// Emits l = softplus(x) − x·t with softplus(x) = max(x, 0) + log(1 + e^(−|x|)), which never overflows.
    /// The max and the absolute value are written as Where(x ≥ 0, …) so that the gradient at x = 0 is the
    /// exact σ(0) − t = 0.5 − t: Relu and Abs would give the one-sided value 0 there.
    /// </summary>
    public static string BinaryCrossEntropyWithLogits(GraphEmitter emit, string logits, string target, LossReduction reduction)
    {
        var type = emit.ElementType(logits);
        var zero = emit.Scalar(0, type);
        var nonNegative = emit.Op("GreaterOrEqual", [logits, zero]);
        var positivePart = emit.Op("Where", [nonNegative, logits, zero]);
        var magnitude = emit.Op("Where", [nonNegative, logits, emit.Op("Neg", [logits])]);
        var tail = emit.Op("Log", [emit.Op("Add", [emit.Scalar(1, type), emit.Op("Exp", [emit.Op("Neg", [magnitude])])])]);
        var softplus = emit.Op("Add", [positivePart, tail]);
        var elementLoss = emit.Op("Sub", [softplus, emit.Op("Mul", [logits, target])]);
        return Reduce(emit, elementLoss, reduction);
    }

    /// <summary>
    /// Emits cross-entropy (from logits) or negative log-likelihood (from log-probabilities) over class
    /// axis 1. Log-softmax is x − m − log Σ e^(x−m) with m the per-sample maximum, so no exponent overflows.
    /// Ignored labels are replaced by class 0 and weighted 0.
    /// </summary>
    public static string ClassIndexLoss(GraphEmitter emit, string scores, string labels, LossOptions options, bool fromLogits)
    {
        var info = emit.Types[scores];
        if (info.Rank is < 2)
        {
            throw new GradientBuildException($"The class-index losses need scores of shape (N, C[, D...]); '{scores}' has shape {info}.");
        }

        var type = info.ElementType;
        var logProbabilities = fromLogits ? LogSoftmax(emit, scores) : scores;

        var valid = options.IgnoreIndex is { } ignored
            ? emit.Op("Not", [emit.Op("Equal", [labels, emit.Int64Scalar(ignored)])])
            : null;
        var safeLabels = valid is null ? labels : emit.Op("Where", [valid, labels, emit.Int64Scalar(0)]);

        // One-hot mask as Equal(labels with a class axis, class ids shaped [C, 1, ...]): ONNX Runtime's
        // OneHot kernel has no float64 variant, while Equal, Range and Cast cover every float type.
        var classCount = info.Dims is { } dims && dims[1] >= 0
            ? emit.Int64Scalar(dims[1])
            : emit.Op("Gather", [emit.Shape(scores), emit.Int64Scalar(1)]);
        var classIds = emit.Op("Range", [emit.Int64Scalar(0), classCount, emit.Int64Scalar(1)]);
        var idShape = new long[info.Rank!.Value - 1];
        Array.Fill(idShape, 1L);
        idShape[0] = -1;
        var classGrid = emit.Op("Reshape", [classIds, emit.Int64s(idShape)]);
        var matches = emit.Op("Equal", [emit.Unsqueeze(safeLabels, 1), classGrid]);
        var oneHot = emit.Op("Cast", [matches], Attributes.Int("to", type));
        var picked = emit.Reduce("ReduceSum", emit.Op("Mul", [logProbabilities, oneHot]), [1], keepDims: false);

        string? weights = null;
        if (options.ClassWeights is { } classWeights)
        {
            var table = Tensors.FromDoubles(emit.FreshName("class_weights"), type, [classWeights.Count], classWeights.Select(w => (double)w).ToArray());
            emit.AddInitializer(table);
            weights = emit.Op("Gather", [table.Name, safeLabels]);
        }

        if (valid is not null)
        {
            var validWeights = emit.Op("Cast", [valid], Attributes.Int("to", type));
            weights = weights is null ? validWeights : emit.Op("Mul", [weights, validWeights]);
        }

        var elementLoss = emit.Op("Neg", [weights is null ? picked : emit.Op("Mul", [picked, weights])]);
        if (options.Reduction == LossReduction.Sum)
        {
            return emit.Reduce("ReduceSum", elementLoss, null, keepDims: false);
        }

        if (weights is null)
        {
            return emit.Reduce("ReduceMean", elementLoss, null, keepDims: false);
        }

        var total = emit.Reduce("ReduceSum", elementLoss, null, keepDims: false);
        return emit.Op("Div", [total, emit.Reduce("ReduceSum", weights, null, keepDims: false)]);
    }

    private static string LogSoftmax(GraphEmitter emit, string logits)
    {
        var maximum = emit.Reduce("ReduceMax", logits, [1], keepDims: true);
        var shifted = emit.Op("Sub", [logits, maximum]);
        var sum = emit.Reduce("ReduceSum", emit.Op("Exp", [shifted]), [1], keepDims: true);
        return emit.Op("Sub", [shifted, emit.Op("Log", [sum])]);
    }

    private static string Reduce(GraphEmitter emit, string elementLoss, LossReduction reduction) =>
        emit.Reduce(reduction == LossReduction.Sum ? "ReduceSum" : "ReduceMean", elementLoss, null, keepDims: false);
}
