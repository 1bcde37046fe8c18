using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Gradients;

/// <summary>
/// The view of one forward node that a gradient rule works with: its inputs and outputs with their types,
/// the gradients that reached its outputs, which inputs need a gradient, and the emitter for new nodes.
/// </summary>
internal sealed class GradientContext
{
    private readonly IReadOnlyDictionary<string, string> outputGradients;
    private readonly Func<string, bool> requiresGradient;
    private readonly Action<string, string> addGradient;

    public GradientContext(
        NodeProto node,
        int nodeIndex,
        GraphEmitter emitter,
        IReadOnlyDictionary<string, string> outputGradients,
        Func<string, bool> requiresGradient,
        Action<string, string> addGradient)
    {
        Node = node;
        NodeIndex = nodeIndex;
        Emit = emitter;
        this.outputGradients = outputGradients;
        this.requiresGradient = requiresGradient;
        this.addGradient = addGradient;
    }

    /// <summary>Gets the forward node.</summary>
    public NodeProto Node { get; }

    /// <summary>Gets the node's index in the forward graph.</summary>
    public int NodeIndex { get; }

    /// <summary>Gets the emitter that appends backward nodes and constants.</summary>
    public GraphEmitter Emit { get; }

    /// <summary>Gets the model's default-domain opset.</summary>
    public int Opset => Emit.Opset;

    /// <summary>Gets the name of input <paramref name="index"/>, or an empty string when it is omitted.</summary>
    public string Input(int index) => Node.InputOrEmpty(index);

    /// <summary>Gets the name of output <paramref name="index"/>, or an empty string when it is omitted.</summary>
    public string Output(int index) => Node.OutputOrEmpty(index);

    /// <summary>Returns whether input <paramref name="index"/> is present.</summary>
    public bool HasInput(int index) => Input(index).Length > 0;

    /// <summary>Gets the inferred type and shape of input <paramref name="index"/>.</summary>
    public TensorInfo InputInfo(int index) => Emit.Types[Input(index)];

    /// <summary>Gets the inferred type and shape of output <paramref name="index"/>.</summary>
    public TensorInfo OutputInfo(int index) => Emit.Types[Output(index)];

    /// <summary>Gets the element type of output 0, the type most rules build their constants in.</summary>
    public int ElementType => OutputInfo(0).ElementType != 0 ? OutputInfo(0).ElementType : InputInfo(0).ElementType;

    /// <summary>Returns the gradient that reached output <paramref name="index"/>, or null when none did.</summary>
    public string? OutputGradient(int index)
    {
        var output = Output(index);
        return output.Length > 0 && outputGradients.TryGetValue(output, out var gradient) ? gradient : null;
    }

    /// <summary>
    /// Returns the gradient of output <paramref name="index"/>, or zeros of the output's shape when no
    /// gradient reached it (for rules that need every output's gradient, such as Split).
    /// </summary>
    public string OutputGradientOrZeros(int index) =>
        OutputGradient(index) ?? Emit.ZerosLike(Output(index), OutputInfo(index).ElementType != 0 ? OutputInfo(index).ElementType : ElementType);

    /// <summary>Returns whether input <paramref name="index"/> is present and some parameter's gradient flows through it.</summary>
    public bool RequiresGradient(int index) => HasInput(index) && requiresGradient(Input(index));

    /// <summary>
    /// Adds a gradient contribution for input <paramref name="index"/>; it must already have the input's
    /// shape. Contributions to the same value from several consumers are summed by the builder.
    /// </summary>
    public void AddGradient(int index, string gradient)
    {
        if (RequiresGradient(index))
        {
            addGradient(Input(index), gradient);
        }
    }

    /// <summary>Adds a gradient contribution after summing it over the axes along which input <paramref name="index"/> was broadcast.</summary>
    public void AddBroadcastGradient(int index, string gradient)
    {
        if (RequiresGradient(index))
        {
            addGradient(Input(index), Emit.ReduceToShape(gradient, Input(index)));
        }
    }

    /// <summary>Returns a scalar constant of the node's floating-point element type.</summary>
    public string Scalar(double value)
    {
        var type = ElementType;
        if (!DataTypes.IsDifferentiable(type))
        {
            throw Error($"the element type of its output is {DataTypes.Name(type)}, so no floating-point constant can be built; add value_info for '{Output(0)}'.");
        }

        return Emit.Scalar(value, type);
    }

    /// <summary>Returns the values of a constant integer input, or null when it is not a known constant.</summary>
    public long[]? ConstantInts(int index) => Emit.Types.ConstantInts(Input(index));

    /// <summary>Emits a node through the emitter (shorthand for rules).</summary>
    public string Op(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Emit.Op(opType, inputs, attributes);

    /// <summary>Creates an error that names this node, its index and the problem.</summary>
    public GradientBuildException Error(string problem) =>
        new($"Cannot build the gradient of {Node.Describe(NodeIndex)}: {problem}", Node.OpType, Node.Name, NodeIndex);

    /// <summary>Returns the rank of input <paramref name="index"/>, or throws a clear error when inference could not determine it.</summary>
    public int RequireInputRank(int index)
    {
        var rank = InputInfo(index).Rank;
        return rank ?? throw Error($"the rank of input {index} '{Input(index)}' is unknown; add value_info with its shape to the model.");
    }

    /// <summary>Returns whether a value's element type carries gradients.</summary>
    public static bool IsFloat(TensorInfo info) => DataTypes.IsDifferentiable(info.ElementType);
}
