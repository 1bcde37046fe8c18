namespace GradDiag;

/// <summary>
/// The result of watching one run: its findings, a summary per parameter and a verdict. Formatters turn it into
/// JSON, Markdown, JUnit XML or CI annotations.
/// </summary>
public sealed record RunReport
{
    /// <summary>The version of the report's JSON schema; it changes when a field changes meaning or is removed.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Gets the schema version this report follows.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Gets the run's name, for example its folder relative to the log folder.</summary>
    public required string Run { get; init; }

    /// <summary>Gets when the report was made.</summary>
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Gets the first observed step, or null when no step was observed.</summary>
    public long? FirstStep { get; init; }

    /// <summary>Gets the last observed step, or null when no step was observed.</summary>
    public long? LastStep { get; init; }

    /// <summary>Gets the number of steps observed.</summary>
    public long StepsObserved { get; init; }

    /// <summary>Gets a value indicating whether the run stopped before its end (for example after Ctrl+C).</summary>
    public bool Interrupted { get; init; }

    /// <summary>Gets every finding of the run, open ones included, ordered by first step.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];

    /// <summary>Gets one-off observations (such as single spikes) that are not findings.</summary>
    public IReadOnlyList<Finding> Observations { get; init; } = [];

    /// <summary>Gets the per-parameter summaries, in depth order.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; init; } = [];

    /// <summary>Gets the verdict, derived from the worst finding severity.</summary>
    public Verdict Verdict => VerdictFor(Findings);

    /// <summary>Returns the verdict for a set of findings: failing on any error or critical one, warning on any warning.</summary>
    public static Verdict VerdictFor(IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        Severity? worst = null;
        foreach (Finding finding in findings)
        {
            if (worst is null || finding.Severity > worst)
            {
                worst = finding.Severity;
            }
        }

        return worst switch
        {
            >= Severity.Error => Verdict.Failing,
            Severity.Warning => Verdict.Warning,
            _ => Verdict.Healthy,
        };
    }
}
