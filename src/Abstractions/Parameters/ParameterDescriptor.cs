using System.Collections.Immutable;

namespace GradDiag;

/// <summary>
/// Describes one parameter tensor of a model: its name, shape, position in depth and whether it is trained.
/// </summary>
public sealed record ParameterDescriptor
{
    /// <summary>Creates a descriptor and validates its name and shape.</summary>
    /// <param name="name">The parameter's unique name, for example <c>fc1.weight</c>.</param>
    /// <param name="shape">The dimensions, outermost first. An empty shape is a scalar.</param>
    /// <param name="depth">The position from the input side: 0 is the layer nearest the input.</param>
    /// <param name="isTrainable">False for a frozen parameter whose gradient is expected to stay zero.</param>
    /// <param name="layer">The layer the parameter belongs to; derived from <paramref name="name"/> when null.</param>
    /// <exception cref="ArgumentException">The name is null or blank, or a dimension is negative.</exception>
    public ParameterDescriptor(string name, ImmutableArray<long> shape, int depth, bool isTrainable = true, string? layer = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        if (shape.IsDefault)
        {
            shape = [];
        }

        long count = 1;
        foreach (long dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Parameter '{name}' has a negative dimension ({dimension}) in shape [{string.Join(", ", shape)}].", nameof(shape));
            }

            count = checked(count * dimension);
        }

        Name = name;
        Shape = shape;
        Depth = depth;
        IsTrainable = isTrainable;
        Layer = layer ?? LayerNames.FromParameterName(name);
        ElementCount = count;
    }

    /// <summary>Gets the parameter's unique name.</summary>
    public string Name { get; }

    /// <summary>Gets the dimensions, outermost first.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>Gets the number of elements, the product of <see cref="Shape"/>.</summary>
    public long ElementCount { get; }

    /// <summary>Gets the position from the input side; 0 is nearest the input.</summary>
    public int Depth { get; }

    /// <summary>Gets a value indicating whether the optimizer updates this parameter.</summary>
    public bool IsTrainable { get; }

    /// <summary>Gets the name of the layer this parameter belongs to, used to group series.</summary>
    public string Layer { get; }
}
