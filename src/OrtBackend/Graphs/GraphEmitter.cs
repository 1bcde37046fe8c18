using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Graphs;

/// <summary>
/// Appends new nodes and constant initializers to a graph under construction: unique, deterministic value
/// and node names, deduplicated constants, and operator forms that match the model's declared opset.
/// </summary>
/// <remarks>
/// Every emitted node's outputs are run through <see cref="TypeInference"/>, so later emission can query
/// the element type and rank of values it created. Only the default domain is emitted.
/// </remarks>
internal sealed partial class GraphEmitter
{
    private readonly HashSet<string> usedNames;
    private readonly Dictionary<(int Type, long Bits), string> scalarCache = [];
    private readonly Dictionary<string, string> int64Cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> shapeCache = new(StringComparer.Ordinal);
    private readonly string prefix;
    private int valueCounter;
    private int nodeCounter;

    /// <param name="types">Inference results of the forward graph; extended with every emitted value.</param>
    /// <param name="usedNames">Every value, initializer and node name already in the model.</param>
    /// <param name="opset">The model's default-domain opset, which decides operator forms.</param>
    /// <param name="prefix">The prefix of generated names, for example <c>grad/</c>.</param>
    public GraphEmitter(TypeInference types, IEnumerable<string> usedNames, int opset, string prefix)
    {
        Types = types;
        Opset = opset;
        this.prefix = prefix;
        this.usedNames = new HashSet<string>(usedNames, StringComparer.Ordinal);
    }

    /// <summary>Gets the default-domain opset that emitted operators must follow.</summary>
    public int Opset { get; }

    /// <summary>Gets the type information of forward and emitted values.</summary>
    public TypeInference Types { get; }

    /// <summary>Gets the nodes emitted so far, in emission (topological) order.</summary>
    public List<NodeProto> Nodes { get; } = [];

    /// <summary>Gets the initializers emitted so far.</summary>
    public List<TensorProto> Initializers { get; } = [];

    /// <summary>Returns a new value name <c>{prefix}{hint}_{n}</c> that no other value uses.</summary>
    public string FreshName(string hint)
    {
        string name;
        do
        {
            name = $"{prefix}{hint}_{valueCounter++}";
        }
        while (!usedNames.Add(name));

        return name;
    }

    /// <summary>Reserves an exact name (such as <c>w_grad</c>); returns false when it is already taken.</summary>
    public bool TryReserve(string name) => usedNames.Add(name);

    /// <summary>Emits a single-output node and returns its output name.</summary>
    public string Op(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Emit(opType, inputs, 1, null, attributes)[0];

    /// <summary>Emits a single-output node that writes to <paramref name="output"/>, a name reserved by the caller.</summary>
    public string OpInto(string output, string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Emit(opType, inputs, 1, [output], attributes)[0];

    /// <summary>Emits a node with <paramref name="outputCount"/> outputs and returns their names.</summary>
    public string[] OpMulti(string opType, IReadOnlyList<string> inputs, int outputCount, params AttributeProto[] attributes) =>
        Emit(opType, inputs, outputCount, null, attributes);

    private string[] Emit(string opType, IReadOnlyList<string> inputs, int outputCount, string[]? outputs, AttributeProto[] attributes)
    {
        var hint = opType.ToLowerInvariant();
        outputs ??= Enumerable.Range(0, outputCount).Select(_ => FreshName(hint)).ToArray();

        string nodeName;
        do
        {
            nodeName = $"{prefix}{opType}_{nodeCounter++}";
        }
        while (!usedNames.Add(nodeName));

        var node = new NodeProto { OpType = opType, Name = nodeName };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Nodes.Add(node);
        Types.Infer(node);
        return outputs;
    }

    /// <summary>Returns the name of a scalar initializer of a floating-point type, shared by equal values.</summary>
    public string Scalar(double value, int elementType)
    {
        var key = (elementType, BitConverter.DoubleToInt64Bits(value));
        if (!scalarCache.TryGetValue(key, out var name))
        {
            name = FreshName("const");
            AddInitializer(Tensors.FromDoubles(name, elementType, [], [value]));
            scalarCache[key] = name;
        }

        return name;
    }

    /// <summary>Returns the name of a 1-D INT64 initializer holding <paramref name="values"/>, shared by equal contents.</summary>
    public string Int64s(params long[] values) => Int64Tensor([values.Length], values);

    /// <summary>Returns the name of a scalar INT64 initializer.</summary>
    public string Int64Scalar(long value) => Int64Tensor([], [value]);

    private string Int64Tensor(long[] dims, long[] values)
    {
        var key = string.Join(',', dims) + ":" + string.Join(',', values);
        if (!int64Cache.TryGetValue(key, out var name))
        {
            name = FreshName("ints");
            AddInitializer(Tensors.FromInt64s(name, dims, values));
            int64Cache[key] = name;
        }

        return name;
    }

    /// <summary>Adds an initializer and records its type.</summary>
    public void AddInitializer(TensorProto tensor)
    {
        Initializers.Add(tensor);
        Types.AddConstant(tensor);
    }

    /// <summary>Returns <c>Shape(x)</c>, emitting it once per value.</summary>
    public string Shape(string x)
    {
        if (!shapeCache.TryGetValue(x, out var name))
        {
            name = Op("Shape", [x]);
            shapeCache[x] = name;
        }

        return name;
    }

    /// <summary>Returns a tensor of zeros with the shape of <paramref name="x"/> and the given element type.</summary>
    public string ZerosLike(string x, int elementType) =>
        Op("ConstantOfShape", [Shape(x)], Attributes.Tensor("value", Tensors.FromDoubles(string.Empty, elementType, [1], [0.0])));

    /// <summary>Returns the element type of a value, or 0 when it is unknown.</summary>
    public int ElementType(string name) => Types[name].ElementType;
}
