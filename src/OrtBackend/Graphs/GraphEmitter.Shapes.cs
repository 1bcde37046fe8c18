namespace GradDiag.OrtBackend.Graphs;

/// <summary>Opset-aware forms of the reduction, squeeze and split operators, and broadcast undoing.</summary>
internal sealed partial class GraphEmitter
{
    /// <summary>
    /// Emits a reduction over constant <paramref name="axes"/> (null or empty reduces every axis). The axes
    /// are an input from opset 13 for ReduceSum and from opset 18 for the other Reduce operators, an
    /// attribute before that.
    /// </summary>
    public string Reduce(string opType, string x, long[]? axes, bool keepDims)
    {
        var keep = Attributes.Int("keepdims", keepDims ? 1 : 0);
        if (axes is null || axes.Length == 0)
        {
            return Op(opType, [x], keep);
        }

        if (AxesAreInput(opType))
        {
            return Op(opType, [x, Int64s(axes)], keep);
        }

        return Op(opType, [x], keep, Attributes.Ints("axes", axes));
    }

    /// <summary>
    /// Emits a reduction over a computed INT64 axes tensor. An empty axes tensor leaves the input unchanged
    /// (noop_with_empty_axes = 1). Requires the axes-as-input form (ReduceSum from opset 13, others from 18).
    /// </summary>
    public string ReduceDynamic(string opType, string x, string axes, bool keepDims)
    {
        if (!AxesAreInput(opType))
        {
            throw new InvalidOperationException($"{opType} takes computed axes only from opset {(opType == "ReduceSum" ? 13 : 18)}; the model declares opset {Opset}.");
        }

        return Op(opType, [x, axes], Attributes.Int("keepdims", keepDims ? 1 : 0), Attributes.Int("noop_with_empty_axes", 1));
    }

    /// <summary>Returns whether <paramref name="opType"/> takes its axes as an input at this opset.</summary>
    public bool AxesAreInput(string opType) => opType == "ReduceSum" ? Opset >= 13 : Opset >= 18;

    /// <summary>Emits Unsqueeze with constant axes (an input from opset 13, an attribute before).</summary>
    public string Unsqueeze(string x, params long[] axes) =>
        Opset >= 13 ? Op("Unsqueeze", [x, Int64s(axes)]) : Op("Unsqueeze", [x], Attributes.Ints("axes", axes));

    /// <summary>Emits Squeeze with constant axes (an input from opset 13, an attribute before).</summary>
    public string Squeeze(string x, params long[] axes) =>
        Opset >= 13 ? Op("Squeeze", [x, Int64s(axes)]) : Op("Squeeze", [x], Attributes.Ints("axes", axes));

    /// <summary>
    /// Emits Split of <paramref name="x"/> along <paramref name="axis"/> into pieces sized by the INT64
    /// tensor <paramref name="sizes"/> (opset 13 and later: the sizes are an input).
    /// </summary>
    public string[] SplitBySizes(string x, string sizes, long axis, int count)
    {
        if (Opset < 13)
        {
            throw new InvalidOperationException($"Split with computed sizes needs opset 13 or later; the model declares opset {Opset}.");
        }

        return OpMulti("Split", [x, sizes], count, Attributes.Int("axis", axis));
    }

    /// <summary>Emits a Transpose that swaps the last two axes of a value of the given rank.</summary>
    public string TransposeLastTwo(string x, int rank)
    {
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[rank - 1], perm[rank - 2]) = (perm[rank - 2], perm[rank - 1]);
        return Op("Transpose", [x], Attributes.Ints("perm", perm));
    }

    /// <summary>
    /// Sums <paramref name="gradient"/> over the axes along which <paramref name="target"/> was broadcast,
    /// so the result has the target's shape. Axes are computed at build time when the shapes decide them,
    /// and inside the graph otherwise (Shape, ConstantOfShape, Equal, NonZero, ReduceSum with
    /// noop_with_empty_axes, Reshape), so symbolic dimensions such as the batch size stay symbolic.
    /// </summary>
    public string ReduceToShape(string gradient, string target)
    {
        var gradientInfo = Types[gradient];
        var targetInfo = Types[target];
        if (gradientInfo.Dims is { } g && targetInfo.Dims is { } t && g.Length >= t.Length
            && TryStaticReduceAxes(g, t, out var leading, out var inner))
        {
            return EmitStaticReduction(gradient, target, targetInfo, leading, inner);
        }

        return EmitDynamicReduction(gradient, target);
    }

    private static bool TryStaticReduceAxes(long[] gradient, long[] target, out long[] leading, out long[] inner)
    {
        var offset = gradient.Length - target.Length;
        leading = Enumerable.Range(0, offset).Select(i => (long)i).ToArray();
        var innerAxes = new List<long>();
        for (var i = 0; i < target.Length; i++)
        {
            var targetDim = target[i];
            var gradientDim = gradient[i + offset];
            if (targetDim == 1)
            {
                if (gradientDim != 1)
                {
                    innerAxes.Add(i + offset);
                }
            }
            else if (!(targetDim > 1 || (targetDim <= -2 && targetDim == gradientDim) || (targetDim == 0 && gradientDim == 0)))
            {
                inner = [];
                return false;
            }
        }

        inner = innerAxes.ToArray();
        return true;
    }

    private string EmitStaticReduction(string gradient, string target, TensorInfo targetInfo, long[] leading, long[] inner)
    {
        if (leading.Length == 0 && inner.Length == 0)
        {
            return gradient;
        }

        if (inner.Length == 0)
        {
            return Reduce("ReduceSum", gradient, leading, keepDims: false);
        }

        var reduced = Reduce("ReduceSum", gradient, [.. leading, .. inner], keepDims: true);
        if (leading.Length == 0)
        {
            return reduced;
        }

        var shape = targetInfo.IsStatic ? Int64s(targetInfo.Dims!) : Shape(target);
        return Op("Reshape", [reduced, shape]);
    }

    private string EmitDynamicReduction(string gradient, string target)
    {
        var gradientShape = Shape(gradient);
        var targetShape = Shape(target);
        var rankDifference = Op("Sub", [Op("Size", [gradientShape]), Op("Size", [targetShape])]);
        var onesValue = Tensors.FromInt64s(string.Empty, [1], [1]);
        var ones = Op("ConstantOfShape", [Op("Reshape", [rankDifference, Int64s(1)])], Attributes.Tensor("value", onesValue));
        var paddedTarget = Op("Concat", [ones, targetShape], Attributes.Int("axis", 0));
        var one = Int64Scalar(1);
        var mask = Op("And", [Op("Equal", [paddedTarget, one]), Op("Not", [Op("Equal", [gradientShape, one])])]);
        var axes = Op("Reshape", [Op("NonZero", [mask]), Int64s(-1)]);
        var reduced = ReduceDynamic("ReduceSum", gradient, axes, keepDims: true);
        return Op("Reshape", [reduced, targetShape]);
    }
}
