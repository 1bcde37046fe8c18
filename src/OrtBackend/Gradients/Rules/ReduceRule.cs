using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// ReduceSum and ReduceMean: the gradient is dY with the reduced axes restored (Unsqueeze when
/// keepdims = 0) and expanded to X's shape; ReduceMean divides by the number of elements averaged.
/// Axes may be an attribute, a constant input or a computed input.
/// </summary>
internal sealed class ReduceRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["ReduceSum", "ReduceMean"];

    public void Backward(GradientContext context)
    {
        var node = context.Node;
        var emit = context.Emit;
        var dy = context.OutputGradient(0)!;
        var x = context.Input(0);
        var keepDims = node.GetInt("keepdims", 1) != 0;
        var noopWithEmptyAxes = node.GetInt("noop_with_empty_axes", 0) != 0;
        var axesInput = context.Input(1);
        var constantAxes = emit.Types.ReadAxes(node, 1);

        var restored = dy;
        if (constantAxes is not null)
        {
            if (constantAxes.Length == 0 && noopWithEmptyAxes)
            {
                context.AddGradient(0, dy);
                return;
            }

            if (!keepDims && constantAxes.Length > 0)
            {
                restored = emit.Unsqueeze(dy, constantAxes);
            }
        }
        else if (!keepDims)
        {
            // Computed axes: Unsqueeze accepts the same axes tensor, and an empty one leaves dY unchanged.
            restored = emit.Op("Unsqueeze", [dy, axesInput]);
        }

        var dx = emit.Op("Expand", [restored, emit.Shape(x)]);
        if (node.OpType == "ReduceMean")
        {
            dx = emit.Op("Div", [dx, Count(context, x)]);
        }

        context.AddGradient(0, dx);
    }

    /// <summary>Returns the number of elements averaged per output element, as a scalar of the node's type.</summary>
    private static string Count(GradientContext context, string x)
    {
        var inputInfo = context.InputInfo(0);
        var outputInfo = context.OutputInfo(0);
        if (inputInfo.IsStatic && outputInfo.IsStatic)
        {
            var inputSize = inputInfo.Dims!.Aggregate(1L, (p, d) => p * d);
            var outputSize = outputInfo.Dims!.Aggregate(1L, (p, d) => p * d);
            return context.Scalar(outputSize == 0 ? 1 : inputSize / outputSize);
        }

        var emit = context.Emit;
        var ratio = emit.Op("Div", [emit.Op("Size", [x]), emit.Op("Size", [context.Output(0)])]);
        return emit.Op("Cast", [ratio], Attributes.Int("to", context.ElementType));
    }
}
