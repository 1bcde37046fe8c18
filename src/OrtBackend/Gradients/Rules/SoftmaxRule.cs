using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Softmax (dX = Y·(dY − Σ Y·dY)) and LogSoftmax (dX = dY − exp(Y)·Σ dY). From opset 13 the sums run
/// over the single <c>axis</c> (default −1). Before opset 13 the operator flattens the input to 2-D at
/// <c>axis</c> (default 1), so the sums run over every axis from <c>axis</c> to the last.
/// </summary>
internal sealed class SoftmaxRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Softmax", "LogSoftmax"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var y = context.Output(0);
        var axes = ReductionAxes(context);

        string dx;
        if (context.Node.OpType == "Softmax")
        {
            var weighted = context.Emit.Reduce("ReduceSum", context.Op("Mul", [y, dy]), axes, keepDims: true);
            dx = context.Op("Mul", [y, context.Op("Sub", [dy, weighted])]);
        }
        else
        {
            var total = context.Emit.Reduce("ReduceSum", dy, axes, keepDims: true);
            dx = context.Op("Sub", [dy, context.Op("Mul", [context.Op("Exp", [y]), total])]);
        }

        context.AddGradient(0, dx);
    }

    private static long[] ReductionAxes(GradientContext context)
    {
        if (context.Opset >= 13)
        {
            return [context.Node.GetInt("axis", -1)];
        }

        var rank = context.RequireInputRank(0);
        var axis = context.Node.GetInt("axis", 1);
        var first = axis < 0 ? axis + rank : axis;
        if (first < 0 || first >= rank)
        {
            throw context.Error($"axis {axis} is outside the input's rank {rank}.");
        }

        return Enumerable.Range((int)first, rank - (int)first).Select(i => (long)i).ToArray();
    }
}
