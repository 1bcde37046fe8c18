using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// BatchNormalization over every axis except the channel axis 1, in training mode (batch statistics) and
/// in inference mode (the running statistics as inputs). Gradients for X, scale and B, and in inference
/// mode also for the input mean and variance.
/// </summary>
/// <remarks>
/// <para>
/// Training mode is training_mode = 1 from opset 14, and more than one output before opset 14. The
/// backward graph recomputes the batch statistics μ and σ² (population variance) from X, because the
/// opset 14 node outputs only the updated running statistics, running·momentum + batch·(1 − momentum).
/// With istd = 1/√(σ² + ε), x̂ = (X − μ)·istd and g = dY·scale:
/// dX = istd·(g − mean(g) − x̂·mean(g·x̂)), dScale = Σ dY·x̂, dB = Σ dY. The running statistics do not
/// affect Y in training mode, so their inputs get no gradient from it.
/// </para>
/// <para>
/// Inference mode: with istd = 1/√(var + ε), dX = dY·scale·istd, dScale = Σ dY·(X − mean)·istd,
/// dB = Σ dY, dMean = −Σ dY·scale·istd and dVar = −½·Σ dY·(X − mean)·scale·istd³.
/// </para>
/// </remarks>
internal sealed class BatchNormalizationRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["BatchNormalization"];

    public void Backward(GradientContext context)
    {
        for (var i = 1; i < context.Node.Output.Count; i++)
        {
            if (context.OutputGradient(i) is not null)
            {
                throw context.Error($"output {i} '{context.Output(i)}' (a running or saved statistic) lies on the path to the loss; only Y has a gradient rule.");
            }
        }

        var rank = context.RequireInputRank(0);
        var axes = Enumerable.Range(0, rank).Where(a => a != 1).Select(a => (long)a).ToArray();
        var channelAxes = Enumerable.Range(1, Math.Max(0, rank - 2)).Select(a => (long)a).ToArray();
        var epsilon = context.Node.GetFloat("epsilon", 1e-5f);

        if (IsTraining(context))
        {
            Training(context, axes, channelAxes, epsilon);
        }
        else
        {
            Inference(context, axes, channelAxes, epsilon);
        }
    }

    private static bool IsTraining(GradientContext context) =>
        context.Opset >= 14
            ? context.Node.GetInt("training_mode", 0) != 0
            : context.Node.Output.Skip(1).Any(o => o.Length > 0);

    private static void Training(GradientContext context, long[] axes, long[] channelAxes, float epsilon)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var dy = context.OutputGradient(0)!;

        var mean = emit.Reduce("ReduceMean", x, axes, keepDims: true);
        var centered = context.Op("Sub", [x, mean]);
        var variance = emit.Reduce("ReduceMean", context.Op("Mul", [centered, centered]), axes, keepDims: true);
        var inverseStd = context.Op("Reciprocal", [context.Op("Sqrt", [context.Op("Add", [variance, context.Scalar(epsilon)])])]);
        var normalized = context.Op("Mul", [centered, inverseStd]);

        if (context.RequiresGradient(0))
        {
            var g = context.Op("Mul", [dy, PerChannel(context, context.Input(1), channelAxes)]);
            var meanG = emit.Reduce("ReduceMean", g, axes, keepDims: true);
            var meanGx = emit.Reduce("ReduceMean", context.Op("Mul", [g, normalized]), axes, keepDims: true);
            var inner = context.Op("Sub", [context.Op("Sub", [g, meanG]), context.Op("Mul", [normalized, meanGx])]);
            context.AddGradient(0, context.Op("Mul", [inverseStd, inner]));
        }

        if (context.RequiresGradient(1))
        {
            context.AddGradient(1, emit.Reduce("ReduceSum", context.Op("Mul", [dy, normalized]), axes, keepDims: false));
        }

        if (context.RequiresGradient(2))
        {
            context.AddGradient(2, emit.Reduce("ReduceSum", dy, axes, keepDims: false));
        }
    }

    // NOTE: opset 15 allows scale/B and mean/var in other float types than X, but this rule assumes one type.
    private static void Inference(GradientContext context, long[] axes, long[] channelAxes, float epsilon)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var dy = context.OutputGradient(0)!;
        var scale = context.Input(1);
        var inverseStd = context.Op("Reciprocal", [context.Op("Sqrt", [context.Op("Add", [context.Input(4), context.Scalar(epsilon)])])]);
        var channelInverseStd = PerChannel(context, inverseStd, channelAxes);

        if (context.RequiresGradient(0))
        {
            var factor = context.Op("Mul", [PerChannel(context, scale, channelAxes), channelInverseStd]);
            context.AddGradient(0, context.Op("Mul", [dy, factor]));
        }

        var sumDy = emit.Reduce("ReduceSum", dy, axes, keepDims: false);
        var needsCentered = context.RequiresGradient(1) || context.RequiresGradient(4);
        var sumDyCentered = needsCentered
            ? emit.Reduce("ReduceSum", context.Op("Mul", [dy, context.Op("Sub", [x, PerChannel(context, context.Input(3), channelAxes)])]), axes, keepDims: false)
            : string.Empty;

        if (context.RequiresGradient(1))
        {
            context.AddGradient(1, context.Op("Mul", [sumDyCentered, inverseStd]));
        }

        if (context.RequiresGradient(2))
        {
            context.AddGradient(2, sumDy);
        }

        if (context.RequiresGradient(3))
        {
            context.AddGradient(3, context.Op("Neg", [context.Op("Mul", [sumDy, context.Op("Mul", [scale, inverseStd])])]));
        }

        if (context.RequiresGradient(4))
        {
            var cubed = context.Op("Mul", [inverseStd, context.Op("Mul", [inverseStd, inverseStd])]);
            var product = context.Op("Mul", [sumDyCentered, context.Op("Mul", [scale, cubed])]);
            context.AddGradient(4, context.Op("Mul", [product, context.Scalar(-0.5)]));
        }
    }

    /// <summary>Reshapes a per-channel vector (C) to (C, 1, ...) so it broadcasts against (N, C, spatial...).</summary>
    private static string PerChannel(GradientContext context, string vector, long[] channelAxes) =>
        channelAxes.Length == 0 ? vector : context.Emit.Unsqueeze(vector, channelAxes);
}
