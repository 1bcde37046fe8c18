namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Expand: dX = dY summed over the expanded axes.</summary>
internal sealed class ExpandRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Expand"];

    public void Backward(GradientContext context) => context.AddBroadcastGradient(0, context.OutputGradient(0)!);
}
