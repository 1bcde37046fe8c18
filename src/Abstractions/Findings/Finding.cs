namespace GradDiag;

/// <summary>
/// A diagnosis raised by a detector: what is wrong, where, since when, the numbers behind it and what to do.
/// </summary>
public sealed record Finding
{
    /// <summary>Gets a stable identifier, unique within a run, for example <c>exploding:global</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name of the detector that raised the finding.</summary>
    public required string Detector { get; init; }

    /// <summary>Gets the kind of the finding.</summary>
    public required FindingKind Kind { get; init; }

    /// <summary>Gets the severity.</summary>
    public required Severity Severity { get; init; }

    /// <summary>Gets a one-sentence summary with the key numbers.</summary>
    public required string Message { get; init; }

    /// <summary>Gets the names of the parameters involved.</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>Gets the names of the layers involved.</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>Gets the step at which the condition first held.</summary>
    public required long FirstStep { get; init; }

    /// <summary>Gets the last step at which the condition held.</summary>
    public required long LastStep { get; init; }

    /// <summary>Gets the step at which the finding closed, or null while it is open.</summary>
    public long? ClosedAtStep { get; init; }

    /// <summary>Gets a value indicating whether the condition still holds.</summary>
    public bool IsOpen => ClosedAtStep is null;

    /// <summary>Gets the numbers that made the detector raise the finding.</summary>
    public FindingEvidence Evidence { get; init; } = new();

    /// <summary>Gets what the user can do about it.</summary>
    public string Remedy { get; init; } = string.Empty;
}
