using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Relu, LeakyRelu and Elu: the gradient is dY where X &gt; 0 and dY times the negative branch's
/// derivative elsewhere (0 for Relu, α for LeakyRelu, Y + α for Elu). At X = 0 the negative branch is used.
/// </summary>
internal sealed class ReluRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Relu", "LeakyRelu", "Elu"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var x = context.Input(0);
        var positive = context.Op("Greater", [x, context.Scalar(0)]);
        var negativeBranch = context.Node.OpType switch
        {
            "Relu" => context.Scalar(0),
            "LeakyRelu" => context.Op("Mul", [dy, context.Scalar(context.Node.GetFloat("alpha", 0.01f))]),
            "Elu" => context.Op("Mul", [dy, context.Op("Add", [context.Output(0), context.Scalar(context.Node.GetFloat("alpha", 1.0f))])]),
            _ => throw context.Error("the operator is not handled by this rule."),
        };
        context.AddGradient(0, context.Op("Where", [positive, dy, negativeBranch]));
    }
}
