namespace GradDiag.OrtBackend.Graphs;

/// <summary>
/// The inferred element type and shape of a value: <see cref="Dims"/> is null when the rank is unknown,
/// and a dimension of -1 is unknown or symbolic.
/// </summary>
internal readonly record struct TensorInfo(int ElementType, long[]? Dims)
{
    /// <summary>An unknown type and rank.</summary>
    public static readonly TensorInfo Unknown = new(0, null);

    /// <summary>Gets the rank, or null when it is unknown.</summary>
    public int? Rank => Dims?.Length;

    /// <summary>Gets whether every dimension is a known number.</summary>
    public bool IsStatic => Dims is not null && Dims.All(d => d >= 0);

    /// <summary>Returns a copy with another element type.</summary>
    public TensorInfo WithType(int elementType) => this with { ElementType = elementType };

    /// <summary>Returns a value of the given type with a rank but unknown dimensions.</summary>
    public static TensorInfo OfRank(int elementType, int? rank) =>
        new(elementType, rank is null ? null : Enumerable.Repeat(-1L, rank.Value).ToArray());

    /// <summary>Formats the type and shape, for example <c>FLOAT[2, ?]</c>.</summary>
    public override string ToString() =>
        $"{Models.DataTypes.Name(ElementType)}{(Dims is null ? "[rank ?]" : "[" + string.Join(", ", Dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]")}";
}
