namespace GradDiag;

/// <summary>
/// The kind of a finding. Well-known kinds are static members; a detector may define its own with any lowercase name.
/// </summary>
/// <param name="Value">The kind's stable name, used in reports and exit codes, for example <c>exploding</c>.</param>
public readonly record struct FindingKind(string Value)
{
    /// <summary>Gets the kind of gradients that are too small to train the layers they reach.</summary>
    public static FindingKind Vanishing { get; } = new("vanishing");

    /// <summary>Gets the kind of gradients that grow far beyond their baseline and stay there.</summary>
    public static FindingKind Exploding { get; } = new("exploding");

    /// <summary>Gets the kind of NaN or infinite values in gradients, loss or updates.</summary>
    public static FindingKind NonFinite { get; } = new("non-finite");

    /// <summary>Gets the kind of a short, isolated jump of the gradient norm (an observation, not a problem).</summary>
    public static FindingKind Spike { get; } = new("spike");

    /// <summary>Gets the kind of a trainable layer whose gradients are (almost) all zero.</summary>
    public static FindingKind DeadLayer { get; } = new("dead-layer");

    /// <summary>Gets the kind of a parameter that is not trainable and so receives no update.</summary>
    public static FindingKind Frozen { get; } = new("frozen");

    /// <summary>Gets the kind of updates that are far too large or too small relative to the weights.</summary>
    public static FindingKind UpdateRatio { get; } = new("update-ratio");

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
