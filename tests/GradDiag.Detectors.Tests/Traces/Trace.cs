namespace GradDiag.Detectors.Tests;

/// <summary>A labelled series of steps: the finding kinds (warning or worse) a good detector set must report, and no others.</summary>
public sealed record Trace(string Name, ParameterSet Parameters, IReadOnlyList<TraceStep> Steps, IReadOnlyList<FindingKind> Expected)
{
    /// <summary>Gets the finding kinds expected at information level (such as frozen layers).</summary>
    public IReadOnlyList<FindingKind> ExpectedInformation { get; init; } = [];

    public override string ToString() => Name;
}
