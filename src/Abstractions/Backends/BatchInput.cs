using System.Collections.Immutable;

namespace GradDiag;

/// <summary>One named input tensor of a batch.</summary>
/// <param name="Name">The model input's name.</param>
/// <param name="Data">The elements, row-major: a float[], double[], long[], int[] or bool[].</param>
/// <param name="Shape">The dimensions, outermost first.</param>
public sealed record BatchInput(string Name, Array Data, ImmutableArray<long> Shape)
{
    /// <summary>Gets the element type of <see cref="Data"/>.</summary>
    public Type ElementType => Data.GetType().GetElementType()!;
}
