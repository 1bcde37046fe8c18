using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Cast between floating-point types: the gradient is cast back to the input's type.</summary>
internal sealed class CastRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Cast", "CastLike"];

    public void Backward(GradientContext context)
    {
        var inputType = context.InputInfo(0).ElementType;
        if (!GradientContext.IsFloat(context.InputInfo(0)))
        {
            throw context.Error($"the input type {context.InputInfo(0)} is unknown or not floating-point, so no gradient can be cast back to it.");
        }

        context.AddGradient(0, context.Op("Cast", [context.OutputGradient(0)!], Attributes.Int("to", inputType)));
    }
}
