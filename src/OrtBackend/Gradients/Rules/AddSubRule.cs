namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Add and Sub: dA = dY and dB = ±dY, each summed over its broadcast axes.</summary>
internal sealed class AddSubRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Add", "Sub"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        context.AddBroadcastGradient(0, dy);
        if (context.RequiresGradient(1))
        {
            var db = context.Node.OpType == "Sub" ? context.Op("Neg", [dy]) : dy;
            context.AddBroadcastGradient(1, db);
        }
    }
}
