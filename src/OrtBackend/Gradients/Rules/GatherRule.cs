using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Gather(data, indices, axis): every element of dY is added to the row of data it was read from, and
/// repeated indices (an embedding lookup of the same token twice) accumulate.
/// </summary>
/// <remarks>
/// <para>
/// With data viewed as [P, V, Q] (P the product of the axes before <c>axis</c>, V the gathered axis, Q the
/// product of the axes after it) and dY as [P, n, Q] (n indices), the rule emits from opset 16
/// ScatterND(zeros[V, P, Q], indices[n, 1], dY as [n, P, Q], reduction = add), transposed back to
/// [P, V, Q]. Before opset 16 no standard scatter accumulates duplicates, so the rule builds the one-hot
/// matrix M[i, v] = (indices[i] == v) with Equal against Range(0, V) and computes Mᵀ·dY with MatMul.
/// </para>
/// <para>Negative indices are normalised (index + V) first.</para>
/// </remarks>
internal sealed class GatherRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Gather"];

    public void Backward(GradientContext context)
    {
        if (!context.RequiresGradient(0))
        {
            return;
        }

        var emit = context.Emit;
        var data = context.Input(0);
        var dy = context.OutputGradient(0)!;
        var rank = context.RequireInputRank(0);
        var rawAxis = context.Node.GetInt("axis", 0);
        var axis = (int)(rawAxis < 0 ? rawAxis + rank : rawAxis);

        var dataShape = emit.Shape(data);
        var before = Product(context, dataShape, 0, axis);
        var gathered = Product(context, dataShape, axis, axis + 1);
        var after = Product(context, dataShape, axis + 1, rank);

        var indices = NormalizedIndices(context, gathered);
        var dy3 = emit.Op("Reshape", [dy, emit.Op("Concat", [before, emit.Int64s(-1), after], Attributes.Int("axis", 0))]);

        var grad3 = context.Opset >= 16
            ? ScatterAdd(context, indices, dy3, before, gathered, after)
            : OneHotProduct(context, indices, dy3, gathered);
        context.AddGradient(0, emit.Op("Reshape", [grad3, dataShape]));
    }

    /// <summary>Returns the flat INT64 indices with negative entries moved into [0, V).</summary>
    private static string NormalizedIndices(GradientContext context, string gathered)
    {
        var emit = context.Emit;
        var indices = context.Input(1);
        if (emit.ElementType(indices) != DataTypes.Int64)
        {
            indices = emit.Op("Cast", [indices], Attributes.Int("to", DataTypes.Int64));
        }

        var flat = emit.Op("Reshape", [indices, emit.Int64s(-1)]);
        var constant = context.ConstantInts(1);
        if (constant is not null && constant.All(i => i >= 0))
        {
            return flat;
        }

        var wrapped = emit.Op("Add", [flat, gathered]);
        return emit.Op("Where", [emit.Op("Less", [flat, emit.Int64Scalar(0)]), wrapped, flat]);
    }

    /// <summary>Emits ScatterND with reduction add into zeros of [V, P, Q] and returns the result as [P, V, Q].</summary>
    private static string ScatterAdd(GradientContext context, string indices, string dy3, string before, string gathered, string after)
    {
        var emit = context.Emit;
        var updates = emit.Op("Transpose", [dy3], Attributes.Ints("perm", [1, 0, 2]));
        var zerosShape = emit.Op("Concat", [gathered, before, after], Attributes.Int("axis", 0));
        var zeroValue = Tensors.FromDoubles(string.Empty, context.ElementType, [1], [0.0]);
        var zeros = emit.Op("ConstantOfShape", [zerosShape], Attributes.Tensor("value", zeroValue));
        var columns = emit.Unsqueeze(indices, 1);
        var scattered = emit.Op("ScatterND", [zeros, columns, updates], Attributes.String("reduction", "add"));
        return emit.Op("Transpose", [scattered], Attributes.Ints("perm", [1, 0, 2]));
    }

    /// <summary>Emits Mᵀ·dY with M[i, v] = (indices[i] == v), the accumulation without a scatter-add.</summary>
    /// <remarks>NOTE: M has n·V elements, so a large vocabulary with many indices needs opset 16 or later.</remarks>
    private static string OneHotProduct(GradientContext context, string indices, string dy3, string gathered)
    {
        var emit = context.Emit;
        var size = emit.Types.ConstantInts(gathered) is [var known] ? emit.Int64Scalar(known) : emit.Squeeze(gathered, 0);
        var vocabulary = emit.Op("Range", [emit.Int64Scalar(0), size, emit.Int64Scalar(1)]);
        var matches = emit.Op("Equal", [emit.Unsqueeze(indices, 0), emit.Unsqueeze(vocabulary, 1)]);
        var oneHotTransposed = emit.Op("Cast", [matches], Attributes.Int("to", context.ElementType));
        return emit.Op("MatMul", [oneHotTransposed, dy3]);
    }

    /// <summary>Returns a 1-element INT64 tensor holding the product of dims [start, end) of a shape tensor.</summary>
    private static string Product(GradientContext context, string shape, int start, int end)
    {
        var emit = context.Emit;
        var known = emit.Types.ShapeValue(shape);
        if (known is not null && known[start..end].All(d => d >= 0))
        {
            return emit.Int64s(known[start..end].Aggregate(1L, (p, d) => p * d));
        }

        if (start == end)
        {
            return emit.Int64s(1);
        }

        var part = emit.Op("Slice", [shape, emit.Int64s(start), emit.Int64s(end)]);
        return emit.Op("ReduceProd", [part], Attributes.Int("keepdims", 1));
    }
}
