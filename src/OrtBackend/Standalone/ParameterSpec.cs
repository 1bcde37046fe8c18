using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Standalone;

/// <summary>
/// The name, ONNX element type and shape of one trainable parameter, as the standalone statistics and
/// optimizer graphs declare it. A dimension of -1 is unknown.
/// </summary>
internal sealed record ParameterSpec(string Name, int ElementType, long[] Dims)
{
    /// <summary>Gets the number of elements, or -1 when a dimension is unknown.</summary>
    public long ElementCount => Dims.Any(d => d < 0) ? -1 : Dims.Aggregate(1L, (product, d) => product * d);

    /// <summary>Formats the parameter for messages, for example <c>'fc1.weight' FLOAT[32, 64]</c>.</summary>
    public override string ToString() =>
        $"'{Name}' {DataTypes.Name(ElementType)}[{string.Join(", ", Dims)}]";
}
