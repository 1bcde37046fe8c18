namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// MatMul with numpy semantics: dA = dY·Bᵀ and dB = Aᵀ·dY on the last two axes, summed over broadcast
/// batch axes. A 1-D operand is treated as a matrix with an inserted axis (A as 1×K, B as K×1) and the
/// inserted axis is removed from its gradient again.
/// </summary>
internal sealed class MatMulRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["MatMul"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var a = context.Input(0);
        var b = context.Input(1);
        var rankA = context.RequireInputRank(0);
        var rankB = context.RequireInputRank(1);

        if (rankA == 1 && rankB == 1)
        {
            context.AddGradient(0, context.Op("Mul", [dy, b]));
            context.AddGradient(1, context.Op("Mul", [dy, a]));
            return;
        }

        var emit = context.Emit;
        var matrixA = rankA == 1 ? emit.Unsqueeze(a, 0) : a;
        var matrixB = rankB == 1 ? emit.Unsqueeze(b, -1) : b;
        var matrixDy = rankA == 1 ? emit.Unsqueeze(dy, -2) : rankB == 1 ? emit.Unsqueeze(dy, -1) : dy;
        var matrixRankA = Math.Max(rankA, 2);
        var matrixRankB = Math.Max(rankB, 2);

        if (context.RequiresGradient(0))
        {
            var product = emit.Op("MatMul", [matrixDy, emit.TransposeLastTwo(matrixB, matrixRankB)]);
            var reduced = emit.ReduceToShape(product, matrixA);
            context.AddGradient(0, rankA == 1 ? emit.Op("Reshape", [reduced, emit.Shape(a)]) : reduced);
        }

        if (context.RequiresGradient(1))
        {
            var product = emit.Op("MatMul", [emit.TransposeLastTwo(matrixA, matrixRankA), matrixDy]);
            var reduced = emit.ReduceToShape(product, matrixB);
            context.AddGradient(1, rankB == 1 ? emit.Op("Reshape", [reduced, emit.Shape(b)]) : reduced);
        }
    }
}
