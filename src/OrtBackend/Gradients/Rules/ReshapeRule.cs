namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Reshape, Flatten, Squeeze and Unsqueeze keep the elements in order: dX = Reshape(dY, Shape(X)).</summary>
internal sealed class ReshapeRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Reshape", "Flatten", "Squeeze", "Unsqueeze"];

    public void Backward(GradientContext context)
    {
        var emit = context.Emit;
        context.AddGradient(0, emit.Op("Reshape", [context.OutputGradient(0)!, emit.Shape(context.Input(0))]));
    }
}
