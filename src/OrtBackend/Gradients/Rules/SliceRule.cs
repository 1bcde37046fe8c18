using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Slice (opset 10 and later, any starts, ends, axes and steps): the same Slice applied to the flat
/// positions of X (Range reshaped to X's shape) gives the source position of each element of dY, and
/// ScatterElements writes dY there into zeros. The positions are unique, so no accumulation is needed.
/// </summary>
internal sealed class SliceRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Slice"];

    public void Backward(GradientContext context)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var shape = emit.Shape(x);
        var size = emit.Op("Size", [x]);

        var positions = emit.Op("Range", [emit.Int64Scalar(0), size, emit.Int64Scalar(1)]);
        var grid = emit.Op("Reshape", [positions, shape]);
        var sliceInputs = new List<string> { grid };
        sliceInputs.AddRange(context.Node.Input.Skip(1));
        var selected = emit.Op("Slice", sliceInputs);

        var flatLength = emit.Op("Reshape", [size, emit.Int64s(1)]);
        var zeroValue = Tensors.FromDoubles(string.Empty, context.ElementType, [1], [0.0]);
        var zeros = emit.Op("ConstantOfShape", [flatLength], Attributes.Tensor("value", zeroValue));
        var flatIndices = emit.Op("Reshape", [selected, emit.Int64s(-1)]);
        var flatGradient = emit.Op("Reshape", [context.OutputGradient(0)!, emit.Int64s(-1)]);
        var scattered = emit.Op("ScatterElements", [zeros, flatIndices, flatGradient], Attributes.Int("axis", 0));
        context.AddGradient(0, emit.Op("Reshape", [scattered, shape]));
    }
}
