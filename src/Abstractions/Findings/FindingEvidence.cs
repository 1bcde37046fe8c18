namespace GradDiag;

/// <summary>
/// The numbers that made a detector raise a finding: the series it watched over its window and the named
/// quantities it compared (baseline, slope, threshold, ratio).
/// </summary>
public sealed record FindingEvidence
{
    /// <summary>Gets the name of the watched series, for example <c>grad_norm/fc1</c>.</summary>
    public string Series { get; init; } = string.Empty;

    /// <summary>Gets the values of the series over the detector's window, oldest first.</summary>
    public IReadOnlyList<EvidencePoint> Window { get; init; } = [];

    /// <summary>Gets named quantities, for example <c>baseline</c>, <c>slope_log10_per_step</c>, <c>threshold</c>.</summary>
    public IReadOnlyDictionary<string, double> Values { get; init; } = new Dictionary<string, double>();
}
