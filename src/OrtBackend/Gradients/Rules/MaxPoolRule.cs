using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// MaxPool: each element of dY goes to the input cell that was its window's maximum (one cell when
/// several tie). The backward graph runs MaxPool again with its Indices output (flat row-major positions
/// in X) and adds dY at those positions into zeros.
/// </summary>
/// <remarks>
/// From opset 16 the addition is ScatterElements with reduction = add. Before opset 16 no standard scatter
/// accumulates, so disjoint windows (every stride at least the dilated kernel) use ScatterElements without
/// reduction, which is exact because no cell is the maximum of two windows. Overlapping windows match
/// each index against Range(0, H·W) per (n, c) plane and sum dY with MatMul.
/// </remarks>
internal sealed class MaxPoolRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["MaxPool"];

    public void Backward(GradientContext context)
    {
        var emit = context.Emit;
        var node = context.Node;
        var x = context.Input(0);
        var dy = context.OutputGradient(0)!;
        var kernel = node.GetInts("kernel_shape") ?? throw context.Error("the kernel_shape attribute is missing.");
        var geometry = WindowGeometry.Read(context, kernel);
        var indices = Indices(context);

        string dx;
        if (context.Opset >= 16 || geometry.WindowsAreDisjoint)
        {
            var zeroValue = Tensors.FromDoubles(string.Empty, context.ElementType, [1], [0.0]);
            var zeros = emit.Op("ConstantOfShape", [emit.Op("Reshape", [emit.Op("Size", [x]), emit.Int64s(1)])], Attributes.Tensor("value", zeroValue));
            var flatIndices = emit.Op("Reshape", [indices, emit.Int64s(-1)]);
            var flatGradient = emit.Op("Reshape", [dy, emit.Int64s(-1)]);
            var attributes = context.Opset >= 16
                ? new[] { Attributes.Int("axis", 0), Attributes.String("reduction", "add") }
                : [Attributes.Int("axis", 0)];
            dx = emit.Op("ScatterElements", [zeros, flatIndices, flatGradient], attributes);
        }
        else
        {
            dx = PlaneMatMul(context, indices, dy, x);
        }

        context.AddGradient(0, emit.Op("Reshape", [dx, emit.Shape(x)]));
    }

    /// <summary>Returns the forward node's Indices output, or the Indices of a MaxPool recomputed with the same attributes.</summary>
    private static string Indices(GradientContext context)
    {
        var node = context.Node;
        if (context.Output(1).Length > 0 && node.GetInt("storage_order", 0) == 0)
        {
            return context.Output(1);
        }

        var attributes = node.Attribute.Where(a => a.Name != "storage_order").Select(a => a.Clone()).ToList();
        attributes.Add(Attributes.Int("storage_order", 0));
        return context.Emit.OpMulti("MaxPool", [context.Input(0)], 2, [.. attributes])[1];
    }

    /// <summary>
    /// Sums dY per (n, c) plane with a one-hot MatMul: M[o, j] = (index[o] mod H·W == j).
    /// </summary>
    /// <remarks>NOTE: M has N·C·out·H·W elements, which only suits small images. Opset 16 models avoid it.</remarks>
    private static string PlaneMatMul(GradientContext context, string indices, string dy, string x)
    {
        var emit = context.Emit;
        var spatial = emit.Op("Slice", [emit.Shape(x), emit.Int64s(2), emit.Int64s(long.MaxValue)]);
        var cells = emit.Op("ReduceProd", [spatial], Attributes.Int("keepdims", 0));
        var local = emit.Op("Mod", [emit.Op("Reshape", [indices, emit.Int64s(0, 0, -1)]), cells]);
        var positions = emit.Op("Range", [emit.Int64Scalar(0), cells, emit.Int64Scalar(1)]);
        var matches = emit.Op("Equal", [emit.Unsqueeze(local, -1), positions]);
        var oneHot = emit.Op("Cast", [matches], Attributes.Int("to", context.ElementType));
        var rows = emit.Op("Reshape", [dy, emit.Int64s(0, 0, 1, -1)]);
        return emit.Op("MatMul", [rows, oneHot]);
    }
}
