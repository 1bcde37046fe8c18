using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Dropout (opset 12 and later, ratio and training_mode as inputs). In training mode Y = X·mask/(1−ratio),
/// so dX = dY·mask/(1−ratio) with the mask the forward node drew. When training_mode is absent or a
/// constant false, Dropout is the identity and so is its gradient.
/// </summary>
/// <remarks>
/// The mask is random, so the backward graph cannot recompute it: when the forward node does not output
/// its mask, the rule adds the optional mask output to the forward node. A training_mode that is computed
/// at run time selects between the two gradients with Where.
/// </remarks>
internal sealed class DropoutRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Dropout"];

    public void Backward(GradientContext context)
    {
        if (context.Opset < 12)
        {
            throw context.Error($"Dropout before opset 12 takes ratio as an attribute and has no training_mode input; the model declares opset {context.Opset}. Convert the model to opset 13 or later.");
        }

        var dy = context.OutputGradient(0)!;
        var trainingMode = context.Input(2);
        if (trainingMode.Length == 0 || IsConstantFalse(context))
        {
            context.AddGradient(0, context.Op("Identity", [dy]));
            return;
        }

        var mask = MaskOutput(context);
        var maskedGradient = context.Op("Mul", [dy, context.Op("Cast", [mask], Attributes.Int("to", context.ElementType))]);
        var dx = context.Op("Mul", [maskedGradient, Scale(context)]);
        if (!IsConstantTrue(context))
        {
            dx = context.Op("Where", [trainingMode, dx, dy]);
        }

        context.AddGradient(0, dx);
    }

    /// <summary>Returns 1/(1−ratio) in the node's element type, with ratio 0.5 when the input is omitted.</summary>
    private static string Scale(GradientContext context)
    {
        var ratio = context.Input(1);
        if (ratio.Length == 0)
        {
            return context.Scalar(2.0);
        }

        if (context.Emit.Types.TryGetConstant(ratio, out var tensor) && Tensors.ToDoubles(tensor) is [var value])
        {
            return context.Scalar(1.0 / (1.0 - value));
        }

        var typed = context.Op("Cast", [ratio], Attributes.Int("to", context.ElementType));
        return context.Op("Reciprocal", [context.Op("Sub", [context.Scalar(1.0), typed])]);
    }

    private static string MaskOutput(GradientContext context)
    {
        var mask = context.Output(1);
        if (mask.Length > 0)
        {
            return mask;
        }

        mask = context.Emit.FreshName("dropout_mask");
        context.Node.Output.Add(mask);
        context.Emit.Types.Set(mask, context.OutputInfo(0).WithType(DataTypes.Bool));
        return mask;
    }

    private static bool IsConstantFalse(GradientContext context) =>
        context.ConstantInts(2) is [0];

    private static bool IsConstantTrue(GradientContext context) =>
        context.ConstantInts(2) is [not 0];
}
