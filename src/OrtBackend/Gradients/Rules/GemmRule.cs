using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Gemm Y = α·op(A)·op(B) + β·C: dA and dB are Gemm nodes with the same α and no C, arranged by
/// transA/transB so that no separate Transpose is needed; dC = β·dY summed over C's broadcast axes.
/// </summary>
internal sealed class GemmRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Gemm"];

    public void Backward(GradientContext context)
    {
        var node = context.Node;
        var dy = context.OutputGradient(0)!;
        var a = context.Input(0);
        var b = context.Input(1);
        var alpha = node.GetFloat("alpha", 1.0f);
        var beta = node.GetFloat("beta", 1.0f);
        var transA = node.GetInt("transA", 0) != 0;
        var transB = node.GetInt("transB", 0) != 0;

        if (context.RequiresGradient(0))
        {
            var dA = (transA, transB) switch
            {
                (false, false) => Gemm(context, dy, b, alpha, false, true),
                (false, true) => Gemm(context, dy, b, alpha, false, false),
                (true, false) => Gemm(context, b, dy, alpha, false, true),
                (true, true) => Gemm(context, b, dy, alpha, true, true),
            };
            context.AddGradient(0, dA);
        }

        if (context.RequiresGradient(1))
        {
            var dB = (transA, transB) switch
            {
                (false, false) => Gemm(context, a, dy, alpha, true, false),
                (false, true) => Gemm(context, dy, a, alpha, true, false),
                (true, false) => Gemm(context, a, dy, alpha, false, false),
                (true, true) => Gemm(context, dy, a, alpha, true, true),
            };
            context.AddGradient(1, dB);
        }

        if (context.RequiresGradient(2))
        {
            var scaled = beta == 1.0f ? dy : context.Op("Mul", [dy, context.Scalar(beta)]);
            context.AddBroadcastGradient(2, scaled);
        }
    }

    private static string Gemm(GradientContext context, string left, string right, float alpha, bool transLeft, bool transRight) =>
        context.Op(
            "Gemm",
            [left, right],
            Attributes.Float("alpha", alpha),
            Attributes.Int("transA", transLeft ? 1 : 0),
            Attributes.Int("transB", transRight ? 1 : 0));
}
