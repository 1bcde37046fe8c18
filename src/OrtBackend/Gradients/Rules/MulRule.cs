namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Mul: dA = dY·B and dB = dY·A, each summed over its broadcast axes (A = B adds both terms).</summary>
internal sealed class MulRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Mul"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        if (context.RequiresGradient(0))
        {
            context.AddBroadcastGradient(0, context.Op("Mul", [dy, context.Input(1)]));
        }

        if (context.RequiresGradient(1))
        {
            context.AddBroadcastGradient(1, context.Op("Mul", [dy, context.Input(0)]));
        }
    }
}
