using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Pad in constant mode: dX is the part of dY that X was copied to, so dX = Slice(dY, starts = pads_begin,
/// ends = pads_begin + dim) for non-negative pads. Negative pads crop X, and the gradient of a crop is a
/// zero pad, so pads with negative entries or pads computed at run time use Pad(dY, −pads) instead. The
/// constant value's gradient is the sum of dY over the padded cells, Σ dY − Σ dX.
/// </summary>
/// <remarks>
/// The pads are an input from opset 11 (with an optional <c>axes</c> input from opset 18) and an
/// attribute before. The reflect, edge and wrap modes are not supported.
/// </remarks>
internal sealed class PadRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Pad"];

    public void Backward(GradientContext context)
    {
        var mode = context.Node.GetString("mode", "constant");
        if (mode != "constant")
        {
            throw context.Error($"only mode 'constant' has a gradient rule; the node uses mode '{mode}'.");
        }

        var dy = context.OutputGradient(0)!;
        var rank = context.RequireInputRank(0);
        var pads = ReadPads(context, rank);
        string dx;
        if (pads is not null && pads.All(p => p >= 0))
        {
            dx = SliceOut(context, dy, pads, rank);
        }
        else if (pads is not null)
        {
            var negated = pads.Select(p => -p).ToArray();
            dx = context.Op("Pad", [dy, context.Emit.Int64s(negated)], Attributes.String("mode", "constant"));
        }
        else
        {
            dx = context.Op("Pad", [dy, context.Op("Neg", [FullPadsTensor(context, rank)])], Attributes.String("mode", "constant"));
        }

        context.AddGradient(0, dx);

        if (context.Opset >= 11 && context.RequiresGradient(2))
        {
            var all = context.Emit.Reduce("ReduceSum", dy, null, keepDims: false);
            var unpadded = context.Emit.Reduce("ReduceSum", dx, null, keepDims: false);
            context.AddGradient(2, context.Op("Sub", [all, unpadded]));
        }
    }

    /// <summary>Returns the pads over every axis (all begins, then all ends), or null when they are computed at run time.</summary>
    private static long[]? ReadPads(GradientContext context, int rank)
    {
        long[]? pads;
        if (context.Opset < 11)
        {
            pads = context.Node.GetInts("pads") ?? throw context.Error("the pads attribute is missing.");
        }
        else
        {
            pads = context.ConstantInts(1);
            if (pads is null)
            {
                return null;
            }
        }

        var axes = AxesOrNull(context);
        if (axes is null)
        {
            if (pads.Length != 2 * rank)
            {
                throw context.Error($"pads has {pads.Length} entries; expected {2 * rank} (twice the input rank).");
            }

            return pads;
        }

        if (pads.Length != 2 * axes.Length)
        {
            throw context.Error($"pads has {pads.Length} entries; expected {2 * axes.Length} (twice the number of axes).");
        }

        var full = new long[2 * rank];
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = (int)(axes[i] < 0 ? axes[i] + rank : axes[i]);
            full[axis] = pads[i];
            full[axis + rank] = pads[i + axes.Length];
        }

        return full;
    }

    private static long[]? AxesOrNull(GradientContext context)
    {
        if (context.Opset < 18 || !context.HasInput(3))
        {
            return null;
        }

        return context.ConstantInts(3) ?? throw context.Error("the axes input is computed at run time; only constant axes are supported.");
    }

    private static string FullPadsTensor(GradientContext context, int rank)
    {
        if (AxesOrNull(context) is not null)
        {
            throw context.Error("pads computed at run time together with an axes input are not supported.");
        }

        return context.Input(1);
    }

    private static string SliceOut(GradientContext context, string dy, long[] pads, int rank)
    {
        var axes = Enumerable.Range(0, rank).Where(i => pads[i] != 0 || pads[i + rank] != 0).ToArray();
        if (axes.Length == 0)
        {
            return context.Op("Identity", [dy]);
        }

        var emit = context.Emit;
        var starts = axes.Select(i => pads[i]).ToArray();

        // A negative end counts from the back of dY, so no ends need the input's (possibly symbolic) size.
        var ends = axes.Select(i => pads[i + rank] > 0 ? -pads[i + rank] : long.MaxValue).ToArray();
        return context.Op("Slice", [dy, emit.Int64s(starts), emit.Int64s(ends), emit.Int64s(axes.Select(i => (long)i).ToArray())]);
    }
}
