using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Gelu (opset 20). Exact: dX = dY·[½(1 + erf(X/√2)) + X·e^(−X²/2)/√(2π)]. Tanh approximation with
/// a = √(2/π), γ = 0.044715 and t = tanh(a(X + γX³)): dX = dY·½·[1 + t + (1 − t²)(aX + 3γaX³)].
/// </summary>
internal sealed class GeluRule : IGradientRule
{
    private const double InverseSqrtTwo = 0.7071067811865476;
    private const double InverseSqrtTwoPi = 0.3989422804014327;
    private const double SqrtTwoOverPi = 0.7978845608028654;
    private const double Gamma = 0.044715;

    public IReadOnlyList<string> OpTypes { get; } = ["Gelu"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var x = context.Input(0);
        var approximate = context.Node.GetString("approximate", "none");
        var derivative = approximate switch
        {
            "none" => Exact(context, x),
            "tanh" => Tanh(context, x),
            _ => throw context.Error($"unknown approximate mode '{approximate}'; expected 'none' or 'tanh'."),
        };
        context.AddGradient(0, context.Op("Mul", [dy, derivative]));
    }

    private static string Exact(GradientContext context, string x)
    {
        var cdf = context.Op("Mul", [context.Scalar(0.5), context.Op("Add", [context.Scalar(1), context.Op("Erf", [context.Op("Mul", [x, context.Scalar(InverseSqrtTwo)])])])]);
        var halfSquare = context.Op("Mul", [context.Op("Mul", [x, x]), context.Scalar(-0.5)]);
        var pdf = context.Op("Mul", [context.Op("Exp", [halfSquare]), context.Scalar(InverseSqrtTwoPi)]);
        return context.Op("Add", [cdf, context.Op("Mul", [x, pdf])]);
    }

    private static string Tanh(GradientContext context, string x)
    {
        var cube = context.Op("Mul", [x, context.Op("Mul", [x, x])]);
        var inner = context.Op("Mul", [context.Scalar(SqrtTwoOverPi), context.Op("Add", [x, context.Op("Mul", [cube, context.Scalar(Gamma)])])]);
        var t = context.Op("Tanh", [inner]);
        var one = context.Scalar(1);
        var innerDerivative = context.Op("Add", [context.Op("Mul", [x, context.Scalar(SqrtTwoOverPi)]), context.Op("Mul", [cube, context.Scalar(3 * Gamma * SqrtTwoOverPi)])]);
        var sech2 = context.Op("Sub", [one, context.Op("Mul", [t, t])]);
        var sum = context.Op("Add", [context.Op("Add", [one, t]), context.Op("Mul", [sech2, innerDerivative])]);
        return context.Op("Mul", [sum, context.Scalar(0.5)]);
    }
}
