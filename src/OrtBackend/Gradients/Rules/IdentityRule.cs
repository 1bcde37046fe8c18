namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Identity passes the gradient through unchanged.</summary>
internal sealed class IdentityRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Identity"];

    public void Backward(GradientContext context) => context.AddGradient(0, context.OutputGradient(0)!);
}
