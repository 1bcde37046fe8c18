namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Sigmoid (dY·Y·(1−Y)), Tanh (dY·(1−Y²)) and Softplus (dY·sigmoid(X)).</summary>
internal sealed class SmoothActivationRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Sigmoid", "Tanh", "Softplus"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var y = context.Output(0);
        var one = context.Scalar(1);
        var derivative = context.Node.OpType switch
        {
            "Sigmoid" => context.Op("Mul", [y, context.Op("Sub", [one, y])]),
            "Tanh" => context.Op("Sub", [one, context.Op("Mul", [y, y])]),
            "Softplus" => context.Op("Sigmoid", [context.Input(0)]),
            _ => throw context.Error("the operator is not handled by this rule."),
        };
        context.AddGradient(0, context.Op("Mul", [dy, derivative]));
    }
}
