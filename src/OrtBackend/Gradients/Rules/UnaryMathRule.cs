namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Elementwise functions of one input whose derivative is a short expression in X or Y.</summary>
internal sealed class UnaryMathRule : IGradientRule
{
    /// <summary>2/√π, the factor of the derivative of erf.</summary>
    private const double TwoOverSqrtPi = 1.1283791670955126;

    public IReadOnlyList<string> OpTypes { get; } = ["Neg", "Abs", "Sqrt", "Reciprocal", "Exp", "Log", "Erf"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var x = context.Input(0);
        var y = context.Output(0);
        var dx = context.Node.OpType switch
        {
            "Neg" => context.Op("Neg", [dy]),
            "Abs" => context.Op("Mul", [dy, context.Op("Sign", [x])]),
            "Sqrt" => context.Op("Mul", [dy, context.Op("Div", [context.Scalar(0.5), y])]),
            "Reciprocal" => context.Op("Neg", [context.Op("Mul", [dy, context.Op("Mul", [y, y])])]),
            "Exp" => context.Op("Mul", [dy, y]),
            "Log" => context.Op("Div", [dy, x]),
            "Erf" => Erf(context, dy, x),
            _ => throw context.Error("the operator is not handled by this rule."),
        };
        context.AddGradient(0, dx);
    }

    private static string Erf(GradientContext context, string dy, string x)
    {
        var gaussian = context.Op("Exp", [context.Op("Neg", [context.Op("Mul", [x, x])])]);
        return context.Op("Mul", [dy, context.Op("Mul", [gaussian, context.Scalar(TwoOverSqrtPi)])]);
    }
}
