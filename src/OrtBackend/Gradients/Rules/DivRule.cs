namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Div Y = A/B: dA = dY/B and dB = −dY·Y/B, each summed over its broadcast axes.</summary>
internal sealed class DivRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Div"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var b = context.Input(1);
        if (context.RequiresGradient(0))
        {
            context.AddBroadcastGradient(0, context.Op("Div", [dy, b]));
        }

        if (context.RequiresGradient(1))
        {
            var quotient = context.Op("Div", [context.Output(0), b]);
            var db = context.Op("Neg", [context.Op("Mul", [dy, quotient])]);
            context.AddBroadcastGradient(1, db);
        }
    }
}
