using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Concat(axis): dY is split along the axis into pieces sized like the inputs.</summary>
internal sealed class ConcatRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Concat"];

    public void Backward(GradientContext context)
    {
        var emit = context.Emit;
        var rank = context.RequireInputRank(0);
        var axis = context.Node.GetInt("axis", 0);
        axis = axis < 0 ? axis + rank : axis;
        var count = context.Node.Input.Count;

        var staticSizes = new long[count];
        var allStatic = true;
        for (var i = 0; i < count; i++)
        {
            var dims = context.InputInfo(i).Dims;
            staticSizes[i] = dims is not null && axis < dims.Length ? dims[axis] : -1;
            allStatic &= staticSizes[i] >= 0;
        }

        string sizes;
        if (allStatic)
        {
            sizes = emit.Int64s(staticSizes);
        }
        else
        {
            var axisIndex = emit.Int64s(axis);
            var pieces = Enumerable.Range(0, count).Select(i => emit.Op("Gather", [emit.Shape(context.Input(i)), axisIndex])).ToArray();
            sizes = emit.Op("Concat", pieces, Attributes.Int("axis", 0));
        }

        var gradients = emit.SplitBySizes(context.OutputGradient(0)!, sizes, axis, count);
        for (var i = 0; i < count; i++)
        {
            context.AddGradient(i, gradients[i]);
        }
    }
}
