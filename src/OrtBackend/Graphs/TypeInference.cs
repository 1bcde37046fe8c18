using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Graphs;

/// <summary>
/// Infers the element type and rank (and dimensions where they are known) of every value in a graph,
/// as far as the gradient rules need them. A dimension is a known size (>= 0), -1 when unknown, or a
/// symbol id (-2, -3, ...) shared by every dimension that has the same dim_param name, so two symbolic
/// dimensions are known to be equal when their ids match.
/// </summary>
internal sealed class TypeInference
{
    private static readonly HashSet<string> SameAsInput = new(StringComparer.Ordinal)
    {
        "Identity", "Neg", "Abs", "Sqrt", "Reciprocal", "Exp", "Log", "Erf", "Relu", "LeakyRelu", "Elu", "Selu",
        "Sigmoid", "HardSigmoid", "Tanh", "Softplus", "Softsign", "Gelu", "Clip", "Sign", "Floor", "Ceil", "Round",
        "Softmax", "LogSoftmax", "Hardmax", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Mish",
        "HardSwish", "ThresholdedRelu", "Celu", "PRelu", "LpNormalization", "MeanVarianceNormalization",
        "InstanceNormalization", "LRN", "CumSum", "Trilu",
    };

    private static readonly HashSet<string> BroadcastArithmetic = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "BitShift",
    };

    private static readonly HashSet<string> BroadcastPredicate = new(StringComparer.Ordinal)
    {
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor",
    };

    private static readonly HashSet<string> Reductions = new(StringComparer.Ordinal)
    {
        "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
    };

    private readonly Dictionary<string, TensorInfo> infos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> shapeValues = new(StringComparer.Ordinal);
    private readonly int opset;

    private TypeInference(int opset)
    {
        this.opset = opset;
    }

    /// <summary>Returns the inferred information of a value, or <see cref="TensorInfo.Unknown"/>.</summary>
    public TensorInfo this[string name] => infos.TryGetValue(name, out var info) ? info : TensorInfo.Unknown;

    /// <summary>Runs inference over the graph's nodes in order, seeded by inputs, initializers and value_info.</summary>
    public static TypeInference Run(GraphProto graph, int opset)
    {
        var inference = new TypeInference(opset);
        var declared = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (var value in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            declared[value.Name] = inference.FromTypeProto(value.Type);
        }

        foreach (var input in graph.Input)
        {
            inference.infos[input.Name] = declared[input.Name];
        }

        foreach (var tensor in graph.Initializer)
        {
            inference.infos[tensor.Name] = new TensorInfo(tensor.DataType, tensor.Dims.ToArray());
            inference.constants[tensor.Name] = tensor;
        }

        foreach (var node in graph.Node)
        {
            var outputs = inference.InferNode(node);
            for (var i = 0; i < node.Output.Count; i++)
            {
                var name = node.Output[i];
                if (name.Length == 0)
                {
                    continue;
                }

                var inferred = i < outputs.Length ? outputs[i] : TensorInfo.Unknown;
                inference.infos[name] = declared.TryGetValue(name, out var fromGraph) ? Merge(inferred, fromGraph) : inferred;
            }
        }

        return inference;
    }

    /// <summary>Records the information of a value created after inference ran (an emitted node's output).</summary>
    public void Set(string name, TensorInfo info) => infos[name] = info;

    /// <summary>Returns the constant tensor behind a value (an initializer or a Constant node output).</summary>
    public bool TryGetConstant(string name, out TensorProto tensor) => constants.TryGetValue(name, out tensor!);

    /// <summary>Returns the values of a constant integer tensor, or null when the value is not a known constant.</summary>
    public long[]? ConstantInts(string name) =>
        name.Length > 0 && constants.TryGetValue(name, out var tensor) ? Tensors.ToInt64s(tensor) : null;

    /// <summary>Infers the outputs of a node appended after the initial run and records them.</summary>
    public void Infer(NodeProto node)
    {
        var outputs = InferNode(node);
        for (var i = 0; i < node.Output.Count; i++)
        {
            if (node.Output[i].Length > 0)
            {
                infos[node.Output[i]] = i < outputs.Length ? outputs[i] : TensorInfo.Unknown;
            }
        }
    }

    /// <summary>Records a constant tensor (an initializer created after inference ran).</summary>
    public void AddConstant(TensorProto tensor)
    {
        constants[tensor.Name] = tensor;
        infos[tensor.Name] = new TensorInfo(tensor.DataType, tensor.Dims.ToArray());
    }

    /// <summary>
    /// Returns the contents of an INT64 shape tensor when known at build time: a constant, or the output of
    /// Shape over a value of known rank (its entries may then be unknown or symbolic dimensions).
    /// </summary>
    public long[]? ShapeValue(string name)
    {
        if (name.Length == 0)
        {
            return null;
        }

        return shapeValues.TryGetValue(name, out var dims) ? dims : ConstantInts(name);
    }

    /// <summary>Converts a ValueInfo's TypeProto into a <see cref="TensorInfo"/>, giving dim_param names symbol ids.</summary>
    public TensorInfo FromTypeProto(TypeProto? type)
    {
        if (type?.TensorType is not { } tensorType)
        {
            return TensorInfo.Unknown;
        }

        if (tensorType.Shape is null)
        {
            return new TensorInfo(tensorType.ElemType, null);
        }

        var dims = tensorType.Shape.Dim.Select(SymbolOrValue).ToArray();
        return new TensorInfo(tensorType.ElemType, dims);
    }

    private long SymbolOrValue(TensorShapeProto.Types.Dimension dimension)
    {
        if (dimension.HasDimValue)
        {
            return dimension.DimValue;
        }

        if (!dimension.HasDimParam || dimension.DimParam.Length == 0)
        {
            return -1;
        }

        if (!symbols.TryGetValue(dimension.DimParam, out var id))
        {
            id = -2 - symbols.Count;
            symbols[dimension.DimParam] = id;
        }

        return id;
    }

    private static TensorInfo Merge(TensorInfo inferred, TensorInfo declared)
    {
        var type = declared.ElementType != 0 ? declared.ElementType : inferred.ElementType;
        if (inferred.Dims is null || declared.Dims is null || inferred.Dims.Length != declared.Dims.Length)
        {
            return new TensorInfo(type, inferred.Dims ?? declared.Dims);
        }

        var dims = inferred.Dims.Zip(declared.Dims, (a, b) => a >= 0 || b == -1 ? a : b).ToArray();
        return new TensorInfo(type, dims);
    }

    private TensorInfo[] InferNode(NodeProto node)
    {
        if (node.Domain is not ("" or "ai.onnx"))
        {
            return [];
        }

        var op = node.OpType;
        var x = node.Input.Count > 0 ? this[node.Input[0]] : TensorInfo.Unknown;
        if (SameAsInput.Contains(op))
        {
            return [x];
        }

        if (BroadcastArithmetic.Contains(op))
        {
            return [new TensorInfo(x.ElementType, BroadcastAll(node.Input))];
        }

        if (BroadcastPredicate.Contains(op))
        {
            return [new TensorInfo(DataTypes.Bool, BroadcastAll(node.Input))];
        }

        if (Reductions.Contains(op))
        {
            return [InferReduce(node, x)];
        }

        return op switch
        {
            "Not" or "IsNaN" or "IsInf" => [x.WithType(DataTypes.Bool)],
            "Where" => [new TensorInfo(this[node.InputOrEmpty(1)].ElementType, BroadcastAll(node.Input))],
            "Cast" => [x.WithType((int)node.GetInt("to", 0))],
            "CastLike" => [x.WithType(this[node.InputOrEmpty(1)].ElementType)],
            "MatMul" => [InferMatMul(x, this[node.InputOrEmpty(1)])],
            "Gemm" => [InferGemm(node, x, this[node.InputOrEmpty(1)])],
            "Reshape" => [InferReshape(node, x)],
            "Flatten" => [InferFlatten(node, x)],
            "Transpose" => [InferTranspose(node, x)],
            "Squeeze" => [InferSqueeze(node, x)],
            "Unsqueeze" => [InferUnsqueeze(node, x)],
            "Expand" => [InferExpand(node, x)],
            "Concat" => [InferConcat(node)],
            "Split" => InferSplit(node, x),
            "Slice" => [InferSlice(node, x)],
            "Shape" => [InferShape(node, x)],
            "Size" => [new TensorInfo(DataTypes.Int64, [])],
            "Constant" => [InferConstant(node)],
            "ConstantOfShape" => [InferConstantOfShape(node)],
            "Range" => [new TensorInfo(x.ElementType, [-1])],
            "NonZero" => [new TensorInfo(DataTypes.Int64, [x.Rank ?? -1, -1])],
            "ArgMax" or "ArgMin" => [InferArg(node, x)],
            "Dropout" => [x, x.WithType(DataTypes.Bool)],
            "Gather" => [InferGather(node, x, this[node.InputOrEmpty(1)])],
            "GatherElements" => [new TensorInfo(x.ElementType, this[node.InputOrEmpty(1)].Dims)],
            "MaxPool" => [TensorInfo.OfRank(x.ElementType, x.Rank), TensorInfo.OfRank(DataTypes.Int64, x.Rank)],
            "AveragePool" or "Conv" or "ConvTranspose" or "Pad" or "Tile" or "Resize" => [TensorInfo.OfRank(x.ElementType, x.Rank)],
            "GlobalAveragePool" or "GlobalMaxPool" => [TensorInfo.OfRank(x.ElementType, x.Rank)],
            "BatchNormalization" => [x, TensorInfo.OfRank(x.ElementType, 1), TensorInfo.OfRank(x.ElementType, 1)],
            "LayerNormalization" => [x, TensorInfo.OfRank(DataTypes.Float, x.Rank), TensorInfo.OfRank(DataTypes.Float, x.Rank)],
            "SoftmaxCrossEntropyLoss" or "NegativeLogLikelihoodLoss" => InferLoss(node, x),
            "OneHot" => [TensorInfo.OfRank(this[node.InputOrEmpty(2)].ElementType, x.Rank + 1)],
            _ => [],
        };
    }

    private long[]? BroadcastAll(IEnumerable<string> inputs)
    {
        long[]? result = [];
        foreach (var input in inputs.Where(i => i.Length > 0))
        {
            var dims = this[input].Dims;
            if (dims is null)
            {
                return null;
            }

            result = Broadcast(result, dims);
        }

        return result;
    }

    /// <summary>Broadcasts two shapes by the numpy rules; unknown dimensions stay unknown unless the other side decides.</summary>
    public static long[] Broadcast(long[] a, long[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            result[i] = (da, db) switch
            {
                (1, _) => db,
                (_, 1) => da,
                _ when da == db => da,
                _ when da < 0 => db > 1 ? db : -1,
                _ when db < 0 => da > 1 ? da : -1,
                _ => Math.Max(da, db),
            };
        }

        return result;
    }

    /// <summary>Returns the axes of <paramref name="node"/>: the constant axes input, else the attribute; null if not constant.</summary>
    public long[]? ReadAxes(NodeProto node, int inputIndex)
    {
        var input = node.InputOrEmpty(inputIndex);
        if (input.Length > 0)
        {
            return ConstantInts(input);
        }

        return node.GetInts("axes") ?? [];
    }

    private static int NormalizeAxis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    private TensorInfo InferReduce(NodeProto node, TensorInfo x)
    {
        var keepDims = node.GetInt("keepdims", 1) != 0;
        var axes = ReadAxes(node, 1);
        if (x.Dims is null || axes is null)
        {
            return keepDims ? TensorInfo.OfRank(x.ElementType, x.Rank) : new TensorInfo(x.ElementType, null);
        }

        if (axes.Length == 0)
        {
            if (node.GetInt("noop_with_empty_axes", 0) != 0)
            {
                return x;
            }

            axes = Enumerable.Range(0, x.Dims.Length).Select(i => (long)i).ToArray();
        }

        var reduced = axes.Select(a => NormalizeAxis(a, x.Dims.Length)).ToHashSet();
        var dims = new List<long>();
        for (var i = 0; i < x.Dims.Length; i++)
        {
            if (!reduced.Contains(i))
            {
                dims.Add(x.Dims[i]);
            }
            else if (keepDims)
            {
                dims.Add(1);
            }
        }

        return new TensorInfo(x.ElementType, dims.ToArray());
    }

    private static TensorInfo InferArg(NodeProto node, TensorInfo x)
    {
        var keepDims = node.GetInt("keepdims", 1) != 0;
        if (x.Dims is null)
        {
            return new TensorInfo(DataTypes.Int64, null);
        }

        var axis = NormalizeAxis(node.GetInt("axis", 0), x.Dims.Length);
        var dims = x.Dims.ToList();
        if (keepDims)
        {
            dims[axis] = 1;
        }
        else
        {
            dims.RemoveAt(axis);
        }

        return new TensorInfo(DataTypes.Int64, dims.ToArray());
    }

    private static TensorInfo InferMatMul(TensorInfo a, TensorInfo b)
    {
        if (a.Dims is null || b.Dims is null)
        {
            return new TensorInfo(a.ElementType, null);
        }

        if (a.Dims.Length == 1 && b.Dims.Length == 1)
        {
            return new TensorInfo(a.ElementType, []);
        }

        if (a.Dims.Length == 1)
        {
            var dims = b.Dims.Where((_, i) => i != b.Dims.Length - 2).ToArray();
            return new TensorInfo(a.ElementType, dims);
        }

        if (b.Dims.Length == 1)
        {
            return new TensorInfo(a.ElementType, a.Dims[..^1]);
        }

        var batch = Broadcast(a.Dims[..^2], b.Dims[..^2]);
        return new TensorInfo(a.ElementType, [.. batch, a.Dims[^2], b.Dims[^1]]);
    }

    private static TensorInfo InferGemm(NodeProto node, TensorInfo a, TensorInfo b)
    {
        var m = a.Dims is { Length: 2 } ? a.Dims[node.GetInt("transA", 0) != 0 ? 1 : 0] : -1;
        var n = b.Dims is { Length: 2 } ? b.Dims[node.GetInt("transB", 0) != 0 ? 0 : 1] : -1;
        return new TensorInfo(a.ElementType, [m, n]);
    }

    private TensorInfo InferReshape(NodeProto node, TensorInfo x)
    {
        var shape = ShapeValue(node.InputOrEmpty(1));
        if (shape is null)
        {
            var shapeDims = this[node.InputOrEmpty(1)].Dims;
            return TensorInfo.OfRank(x.ElementType, shapeDims is { Length: 1 } && shapeDims[0] >= 0 ? (int)shapeDims[0] : null);
        }

        if (ConstantInts(node.InputOrEmpty(1)) is null)
        {
            // The shape comes from Shape(v): the output has v's dimensions exactly.
            return new TensorInfo(x.ElementType, shape);
        }

        var allowZero = node.GetInt("allowzero", 0) != 0;
        var dims = new long[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            dims[i] = shape[i] == 0 && !allowZero
                ? (x.Dims is not null && i < x.Dims.Length ? x.Dims[i] : -1)
                : shape[i];
        }

        var inferIndex = Array.IndexOf(dims, -1L);
        if (inferIndex >= 0 && shape[inferIndex] == -1 && x.IsStatic && dims.Count(d => d < 0) == 1)
        {
            var total = x.Dims!.Aggregate(1L, (p, d) => p * d);
            var known = dims.Where(d => d >= 0).Aggregate(1L, (p, d) => p * d);
            dims[inferIndex] = known == 0 ? 0 : total / known;
        }

        return new TensorInfo(x.ElementType, dims);
    }

    private static TensorInfo InferFlatten(NodeProto node, TensorInfo x)
    {
        if (x.Dims is null)
        {
            return TensorInfo.OfRank(x.ElementType, 2);
        }

        var axis = NormalizeAxis(node.GetInt("axis", 1), x.Dims.Length);
        return new TensorInfo(x.ElementType, [Product(x.Dims[..axis]), Product(x.Dims[axis..])]);
    }

    private static long Product(long[] dims) => dims.Any(d => d < 0) ? -1 : dims.Aggregate(1L, (p, d) => p * d);

    private static TensorInfo InferTranspose(NodeProto node, TensorInfo x)
    {
        if (x.Dims is null)
        {
            var permutation = node.GetInts("perm");
            return TensorInfo.OfRank(x.ElementType, permutation?.Length);
        }

        var perm = node.GetInts("perm") ?? Enumerable.Range(0, x.Dims.Length).Reverse().Select(i => (long)i).ToArray();
        return new TensorInfo(x.ElementType, perm.Select(p => x.Dims[p]).ToArray());
    }

    private TensorInfo InferSqueeze(NodeProto node, TensorInfo x)
    {
        // From opset 13 the axes are an optional input; before, an optional attribute. Absent axes squeeze every size-1 axis.
        long[]? axes = node.GetInts("axes") ?? [];
        if (opset >= 13)
        {
            axes = node.InputOrEmpty(1).Length > 0 ? ConstantInts(node.Input[1]) : [];
        }

        if (x.Dims is null || axes is null)
        {
            return new TensorInfo(x.ElementType, null);
        }

        if (axes.Length == 0)
        {
            return x.IsStatic ? new TensorInfo(x.ElementType, x.Dims.Where(d => d != 1).ToArray()) : new TensorInfo(x.ElementType, null);
        }

        var removed = axes.Select(a => NormalizeAxis(a, x.Dims.Length)).ToHashSet();
        return new TensorInfo(x.ElementType, x.Dims.Where((_, i) => !removed.Contains(i)).ToArray());
    }

    private TensorInfo InferUnsqueeze(NodeProto node, TensorInfo x)
    {
        var axes = opset >= 13 ? ConstantInts(node.InputOrEmpty(1)) : node.GetInts("axes");
        if (x.Dims is null || axes is null)
        {
            return new TensorInfo(x.ElementType, null);
        }

        var rank = x.Dims.Length + axes.Length;
        var inserted = axes.Select(a => NormalizeAxis(a, rank)).ToHashSet();
        var dims = new long[rank];
        var source = 0;
        for (var i = 0; i < rank; i++)
        {
            dims[i] = inserted.Contains(i) ? 1 : x.Dims[source++];
        }

        return new TensorInfo(x.ElementType, dims);
    }

    private TensorInfo InferExpand(NodeProto node, TensorInfo x)
    {
        var shape = ShapeValue(node.InputOrEmpty(1));
        if (shape is not null && x.Dims is not null)
        {
            return new TensorInfo(x.ElementType, Broadcast(x.Dims, shape));
        }

        var shapeDims = this[node.InputOrEmpty(1)].Dims;
        if (x.Dims is not null && shapeDims is { Length: 1 } && shapeDims[0] >= 0)
        {
            return TensorInfo.OfRank(x.ElementType, Math.Max(x.Dims.Length, (int)shapeDims[0]));
        }

        return new TensorInfo(x.ElementType, null);
    }

    private TensorInfo InferConcat(NodeProto node)
    {
        var inputs = node.Input.Where(i => i.Length > 0).Select(i => this[i]).ToArray();
        var first = inputs.Length > 0 ? inputs[0] : TensorInfo.Unknown;
        if (inputs.Any(i => i.Dims is null))
        {
            return TensorInfo.OfRank(first.ElementType, inputs.Select(i => i.Rank).FirstOrDefault(r => r is not null));
        }

        var rank = first.Dims!.Length;
        var axis = NormalizeAxis(node.GetInt("axis", 0), rank);
        var dims = (long[])first.Dims.Clone();
        dims[axis] = inputs.Any(i => i.Dims![axis] < 0) ? -1 : inputs.Sum(i => i.Dims![axis]);
        return new TensorInfo(first.ElementType, dims);
    }

    private TensorInfo[] InferSplit(NodeProto node, TensorInfo x)
    {
        var count = node.Output.Count;
        var outputs = new TensorInfo[count];
        if (x.Dims is null)
        {
            Array.Fill(outputs, new TensorInfo(x.ElementType, null));
            return outputs;
        }

        var axis = NormalizeAxis(node.GetInt("axis", 0), x.Dims.Length);
        var sizes = opset >= 13 ? ConstantInts(node.InputOrEmpty(1)) : node.GetInts("split");
        for (var i = 0; i < count; i++)
        {
            var dims = (long[])x.Dims.Clone();
            dims[axis] = sizes is not null && i < sizes.Length ? sizes[i]
                : x.Dims[axis] >= 0 && x.Dims[axis] % count == 0 ? x.Dims[axis] / count : -1;
            outputs[i] = new TensorInfo(x.ElementType, dims);
        }

        return outputs;
    }

    private TensorInfo InferSlice(NodeProto node, TensorInfo x)
    {
        if (x.Dims is null)
        {
            return x;
        }

        var starts = ConstantInts(node.InputOrEmpty(1));
        var ends = ConstantInts(node.InputOrEmpty(2));
        var axes = node.InputOrEmpty(3).Length > 0 ? ConstantInts(node.Input[3]) : Enumerable.Range(0, starts?.Length ?? 0).Select(i => (long)i).ToArray();
        var steps = node.InputOrEmpty(4).Length > 0 ? ConstantInts(node.Input[4]) : Enumerable.Repeat(1L, starts?.Length ?? 0).ToArray();
        if (starts is null || ends is null || axes is null || steps is null)
        {
            return TensorInfo.OfRank(x.ElementType, x.Rank);
        }

        var dims = (long[])x.Dims.Clone();
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = NormalizeAxis(axes[i], dims.Length);
            dims[axis] = SliceLength(x.Dims[axis], starts[i], ends[i], steps[i]);
        }

        return new TensorInfo(x.ElementType, dims);
    }

    /// <summary>Returns the number of elements a Slice keeps along one axis, or -1 when the axis size is unknown.</summary>
    public static long SliceLength(long dim, long start, long end, long step)
    {
        if (dim < 0 || step == 0)
        {
            return -1;
        }

        var (first, last) = ClampSlice(dim, start, end, step);
        var span = step > 0 ? last - first : first - last;
        return span <= 0 ? 0 : (span + Math.Abs(step) - 1) / Math.Abs(step);
    }

    /// <summary>Clamps Slice's start and end the way the ONNX operator does for a known axis size.</summary>
    public static (long Start, long End) ClampSlice(long dim, long start, long end, long step)
    {
        start = start < 0 ? start + dim : start;
        end = end < 0 ? end + dim : end;
        if (step > 0)
        {
            return (Math.Clamp(start, 0, dim), Math.Clamp(end, 0, dim));
        }

        return (Math.Clamp(start, 0, dim - 1), Math.Clamp(end, -1, dim - 1));
    }

    private TensorInfo InferShape(NodeProto node, TensorInfo x)
    {
        if (x.Dims is null)
        {
            return new TensorInfo(DataTypes.Int64, [-1]);
        }

        var rank = x.Dims.Length;
        var start = Math.Clamp(NormalizeAxis(node.GetInt("start", 0), rank), 0, rank);
        var end = Math.Clamp(NormalizeAxis(node.GetInt("end", rank), rank), 0, rank);
        shapeValues[node.Output[0]] = x.Dims[start..Math.Max(start, end)];
        return new TensorInfo(DataTypes.Int64, [Math.Max(0, end - start)]);
    }

    private TensorInfo InferConstant(NodeProto node)
    {
        if (node.Find("value") is { T: { } tensor })
        {
            constants[node.Output[0]] = tensor;
            return new TensorInfo(tensor.DataType, tensor.Dims.ToArray());
        }

        if (node.Find("value_float") is not null)
        {
            return new TensorInfo(DataTypes.Float, []);
        }

        if (node.Find("value_floats") is { } floats)
        {
            return new TensorInfo(DataTypes.Float, [floats.Floats.Count]);
        }

        if (node.Find("value_int") is { } single)
        {
            constants[node.Output[0]] = Tensors.FromInt64s(node.Output[0], [], [single.I]);
            return new TensorInfo(DataTypes.Int64, []);
        }

        if (node.Find("value_ints") is { } ints)
        {
            constants[node.Output[0]] = Tensors.FromInt64s(node.Output[0], [ints.Ints.Count], ints.Ints.ToArray());
            return new TensorInfo(DataTypes.Int64, [ints.Ints.Count]);
        }

        return TensorInfo.Unknown;
    }

    private TensorInfo InferConstantOfShape(NodeProto node)
    {
        var type = node.Find("value") is { T: { } tensor } ? tensor.DataType : DataTypes.Float;
        var shape = ShapeValue(node.InputOrEmpty(0));
        if (shape is not null)
        {
            return new TensorInfo(type, shape);
        }

        var shapeDims = this[node.InputOrEmpty(0)].Dims;
        return TensorInfo.OfRank(type, shapeDims is { Length: 1 } && shapeDims[0] >= 0 ? (int)shapeDims[0] : null);
    }

    private static TensorInfo InferGather(NodeProto node, TensorInfo data, TensorInfo indices)
    {
        if (data.Dims is null || indices.Dims is null)
        {
            return new TensorInfo(data.ElementType, null);
        }

        var axis = NormalizeAxis(node.GetInt("axis", 0), data.Dims.Length);
        return new TensorInfo(data.ElementType, [.. data.Dims[..axis], .. indices.Dims, .. data.Dims[(axis + 1)..]]);
    }

    private static TensorInfo[] InferLoss(NodeProto node, TensorInfo scores)
    {
        var reduction = node.GetString("reduction", "mean");
        var loss = reduction == "none"
            ? TensorInfo.OfRank(scores.ElementType, scores.Rank - 1)
            : new TensorInfo(scores.ElementType, []);
        return [loss, scores];
    }
}
