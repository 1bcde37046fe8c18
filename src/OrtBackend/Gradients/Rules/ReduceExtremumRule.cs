using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// ReduceMax and ReduceMin: dY goes to the elements equal to the extremum, split equally among ties, so
/// the gradient is an exact subgradient. Axes may be an attribute or a constant or computed input.
/// </summary>
internal sealed class ReduceExtremumRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["ReduceMax", "ReduceMin"];

    public void Backward(GradientContext context)
    {
        var node = context.Node;
        var emit = context.Emit;
        var dy = context.OutputGradient(0)!;
        var y = context.Output(0);
        var x = context.Input(0);
        var keepDims = node.GetInt("keepdims", 1) != 0;
        var axesInput = context.Input(1);
        var constantAxes = emit.Types.ReadAxes(node, 1);

        if (constantAxes is { Length: 0 } && node.GetInt("noop_with_empty_axes", 0) != 0)
        {
            context.AddGradient(0, dy);
            return;
        }

        var keptY = y;
        var keptDy = dy;
        if (!keepDims)
        {
            if (constantAxes is null)
            {
                keptY = emit.Op("Unsqueeze", [y, axesInput]);
                keptDy = emit.Op("Unsqueeze", [dy, axesInput]);
            }
            else if (constantAxes.Length > 0)
            {
                keptY = emit.Unsqueeze(y, constantAxes);
                keptDy = emit.Unsqueeze(dy, constantAxes);
            }
        }

        var mask = emit.Op("Cast", [emit.Op("Equal", [x, keptY])], Attributes.Int("to", context.ElementType));
        // NOTE: computed axes that turn out empty at run time (reduce all when noop_with_empty_axes = 0) count ties per element.
        var ties = constantAxes is null
            ? emit.ReduceDynamic("ReduceSum", mask, axesInput, keepDims: true)
            : emit.Reduce("ReduceSum", mask, constantAxes, keepDims: true);
        context.AddGradient(0, emit.Op("Mul", [mask, emit.Op("Div", [keptDy, ties])]));
    }
}
