using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>GlobalAveragePool: dX = dY / (number of spatial cells), expanded to X's shape.</summary>
internal sealed class GlobalAveragePoolRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["GlobalAveragePool"];

    public void Backward(GradientContext context)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var dims = context.InputInfo(0).Dims;
        string count;
        if (dims is { Length: > 2 } && dims[2..].All(d => d >= 0))
        {
            count = context.Scalar(dims[2..].Aggregate(1L, (p, d) => p * d));
        }
        else
        {
            var spatial = emit.Op("Slice", [emit.Shape(x), emit.Int64s(2), emit.Int64s(long.MaxValue)]);
            var cells = emit.Op("ReduceProd", [spatial], Attributes.Int("keepdims", 0));
            count = emit.Op("Cast", [cells], Attributes.Int("to", context.ElementType));
        }

        var scaled = emit.Op("Div", [context.OutputGradient(0)!, count]);
        context.AddGradient(0, emit.Op("Expand", [scaled, emit.Shape(x)]));
    }
}
