namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Where(C, A, B): dA = dY where C, dB = dY where not C, each summed over its broadcast axes.</summary>
internal sealed class WhereRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Where"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var condition = context.Input(0);
        var zero = context.Scalar(0);
        if (context.RequiresGradient(1))
        {
            context.AddBroadcastGradient(1, context.Op("Where", [condition, dy, zero]));
        }

        if (context.RequiresGradient(2))
        {
            context.AddBroadcastGradient(2, context.Op("Where", [condition, zero, dy]));
        }
    }
}
