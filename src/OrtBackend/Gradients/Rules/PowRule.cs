using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Pow Y = X^P: dX = dY·P·X^(P−1), and, when the exponent is trainable, dP = dY·Y·ln X (defined for X &gt; 0).
/// Both are summed over their broadcast axes.
/// </summary>
internal sealed class PowRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Pow"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var x = context.Input(0);
        var exponent = context.Input(1);
        if (context.RequiresGradient(0))
        {
            // From opset 12 the exponent may have another type (an integer, say): bring it to X's type first.
            var p = context.InputInfo(1).ElementType == context.InputInfo(0).ElementType
                ? exponent
                : context.Op("Cast", [exponent], Attributes.Int("to", context.InputInfo(0).ElementType));
            var power = context.Op("Pow", [x, context.Op("Sub", [p, context.Scalar(1)])]);
            context.AddBroadcastGradient(0, context.Op("Mul", [dy, context.Op("Mul", [p, power])]));
        }

        if (context.RequiresGradient(1))
        {
            // NOTE: for X <= 0 the logarithm is NaN or -Inf, like ln X in the exact derivative.
            var logX = context.Op("Log", [x]);
            context.AddBroadcastGradient(1, context.Op("Mul", [dy, context.Op("Mul", [context.Output(0), logX])]));
        }
    }
}
