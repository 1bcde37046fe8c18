using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// LayerNormalization (opset 17): Y = x̂·Scale + B with x̂ = (X − μ)·istd normalised over the axes from
/// <c>axis</c> to the last. With g = dY·Scale: dX = istd·(g − mean(g) − x̂·mean(g·x̂)) (means over the
/// normalised axes), dScale = Σ dY·x̂ and dB = Σ dY (sums over the leading axes).
/// </summary>
/// <remarks>
/// μ and istd are recomputed in X's element type from X instead of read from the optional Mean and
/// InvStdDev outputs, whose element type follows stash_type and may differ from X's.
/// </remarks>
internal sealed class LayerNormalizationRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["LayerNormalization"];

    public void Backward(GradientContext context)
    {
        for (var i = 1; i < context.Node.Output.Count; i++)
        {
            if (context.OutputGradient(i) is not null)
            {
                throw context.Error($"output {i} '{context.Output(i)}' (Mean or InvStdDev) lies on the path to the loss; only Y has a gradient rule.");
            }
        }

        var emit = context.Emit;
        var x = context.Input(0);
        var dy = context.OutputGradient(0)!;
        var rank = context.RequireInputRank(0);
        var rawAxis = context.Node.GetInt("axis", -1);
        var axis = (int)(rawAxis < 0 ? rawAxis + rank : rawAxis);
        if (axis < 0 || axis >= rank)
        {
            throw context.Error($"axis {rawAxis} is outside the input's rank {rank}.");
        }

        var normalizedAxes = Enumerable.Range(axis, rank - axis).Select(a => (long)a).ToArray();
        var leadingAxes = Enumerable.Range(0, axis).Select(a => (long)a).ToArray();
        var epsilon = context.Node.GetFloat("epsilon", 1e-5f);

        var mean = emit.Reduce("ReduceMean", x, normalizedAxes, keepDims: true);
        var centered = context.Op("Sub", [x, mean]);
        var variance = emit.Reduce("ReduceMean", context.Op("Mul", [centered, centered]), normalizedAxes, keepDims: true);
        var inverseStd = context.Op("Reciprocal", [context.Op("Sqrt", [context.Op("Add", [variance, context.Scalar(epsilon)])])]);
        var normalized = context.Op("Mul", [centered, inverseStd]);

        if (context.RequiresGradient(0))
        {
            var g = context.Op("Mul", [dy, context.Input(1)]);
            var meanG = emit.Reduce("ReduceMean", g, normalizedAxes, keepDims: true);
            var meanGx = emit.Reduce("ReduceMean", context.Op("Mul", [g, normalized]), normalizedAxes, keepDims: true);
            var inner = context.Op("Sub", [context.Op("Sub", [g, meanG]), context.Op("Mul", [normalized, meanGx])]);
            context.AddGradient(0, context.Op("Mul", [inverseStd, inner]));
        }

        if (context.RequiresGradient(1))
        {
            context.AddBroadcastGradient(1, SumLeading(context, context.Op("Mul", [dy, normalized]), leadingAxes));
        }

        if (context.RequiresGradient(2))
        {
            context.AddBroadcastGradient(2, SumLeading(context, dy, leadingAxes));
        }
    }

    private static string SumLeading(GradientContext context, string value, long[] leadingAxes) =>
        leadingAxes.Length == 0 ? value : context.Emit.Reduce("ReduceSum", value, leadingAxes, keepDims: false);
}
