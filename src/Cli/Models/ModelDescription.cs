namespace GradDiag.Cli.Models;

/// <summary>What <c>graddiag inspect</c> reports about a model; also its <c>--json</c> document.</summary>
/// <param name="File">The model file's full path.</param>
/// <param name="IrVersion">The IR version of the file format.</param>
/// <param name="Opset">The default-domain opset.</param>
/// <param name="Inputs">The graph inputs that are not initializers, in graph order.</param>
/// <param name="Outputs">The graph outputs, in graph order.</param>
/// <param name="TrainableParameters">The parameters the gradient builder would train, in depth order (input side first).</param>
/// <param name="FrozenParameters">The floating-point initializers that would stay fixed, with the reason.</param>
/// <param name="Operators">Each operator type with its node count, most frequent first.</param>
/// <param name="UnsupportedOperators">Each node whose operator has no gradient rule, as <c>OpType (node 'name', index i)</c>.</param>
internal sealed record ModelDescription(
    string File,
    long IrVersion,
    long Opset,
    IReadOnlyList<ValueDescription> Inputs,
    IReadOnlyList<ValueDescription> Outputs,
    IReadOnlyList<ParameterDescription> TrainableParameters,
    IReadOnlyList<ParameterDescription> FrozenParameters,
    IReadOnlyList<OperatorCount> Operators,
    IReadOnlyList<string> UnsupportedOperators)
{
    /// <summary>Gets the number of trainable elements, summed over <see cref="TrainableParameters"/>.</summary>
    public long TrainableElementCount => TrainableParameters.Sum(p => Math.Max(p.ElementCount, 0));
}

/// <summary>A graph input or output: its name, element type and shape, where a symbolic dimension keeps its name and an unknown one is <c>?</c>.</summary>
/// <param name="Name">The value's name.</param>
/// <param name="ElementType">The ONNX element type, such as <c>FLOAT</c>, or the value kind when it is not a tensor.</param>
/// <param name="Shape">The dimensions, outermost first.</param>
internal sealed record ValueDescription(string Name, string ElementType, IReadOnlyList<string> Shape);

/// <summary>A parameter tensor.</summary>
/// <param name="Depth">The position in use order; 0 is nearest the model's input.</param>
/// <param name="Name">The initializer's name.</param>
/// <param name="ElementType">The ONNX element type, such as <c>FLOAT</c>.</param>
/// <param name="Shape">The dimensions, outermost first.</param>
/// <param name="ElementCount">The number of elements.</param>
/// <param name="FrozenReason">Why the parameter is not trained (<c>running_statistic</c>, <c>name_pattern</c>, <c>unused</c>, <c>not_differentiable</c>), or null when it is trained.</param>
internal sealed record ParameterDescription(int Depth, string Name, string ElementType, IReadOnlyList<long> Shape, long ElementCount, string? FrozenReason);

/// <summary>An operator type with the number of nodes that use it.</summary>
/// <param name="Operator">The operator type, prefixed with its domain outside the default domain.</param>
/// <param name="Count">The number of nodes.</param>
/// <param name="HasGradientRule">True when the gradient builder has a rule for it.</param>
internal sealed record OperatorCount(string Operator, int Count, bool HasGradientRule);
