namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Clip (opset 11 and later, bounds as optional inputs): dX = dY where min ≤ X ≤ max (values on a bound
/// pass, as in ONNX Runtime's own rule); dMin gets dY where X &lt; min and dMax where X &gt; max.
/// </summary>
internal sealed class ClipRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Clip"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var x = context.Input(0);
        var zero = context.Scalar(0);
        string? inside = null;
        if (context.HasInput(1))
        {
            inside = context.Op("GreaterOrEqual", [x, context.Input(1)]);
        }

        if (context.HasInput(2))
        {
            var belowMax = context.Op("LessOrEqual", [x, context.Input(2)]);
            inside = inside is null ? belowMax : context.Op("And", [inside, belowMax]);
        }

        if (context.RequiresGradient(0))
        {
            context.AddGradient(0, inside is null ? dy : context.Op("Where", [inside, dy, zero]));
        }

        if (context.RequiresGradient(1))
        {
            var below = context.Op("Less", [x, context.Input(1)]);
            context.AddBroadcastGradient(1, context.Op("Where", [below, dy, zero]));
        }

        if (context.RequiresGradient(2))
        {
            var above = context.Op("Greater", [x, context.Input(2)]);
            context.AddBroadcastGradient(2, context.Op("Where", [above, dy, zero]));
        }
    }
}
