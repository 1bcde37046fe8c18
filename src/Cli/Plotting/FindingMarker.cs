namespace GradDiag.Cli.Plotting;

/// <summary>A finding to mark on a plot: its kind, severity, step range and the layers it names.</summary>
/// <param name="Kind">The finding kind, for example <c>exploding</c>.</param>
/// <param name="Severity">The severity, which picks the marker colour.</param>
/// <param name="FirstStep">The first step of the finding.</param>
/// <param name="LastStep">The last step of the finding; equal to <paramref name="FirstStep"/> for a one-step finding.</param>
/// <param name="Layers">The layers the finding names; empty for a finding about the whole model.</param>
internal sealed record FindingMarker(string Kind, Severity Severity, long FirstStep, long LastStep, IReadOnlyList<string> Layers)
{
    /// <summary>Creates a marker from a finding.</summary>
    public static FindingMarker From(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        IReadOnlyList<string> layers = finding.Layers.Count > 0 ? finding.Layers : finding.Parameters;
        return new FindingMarker(finding.Kind.Value, finding.Severity, finding.FirstStep, finding.LastStep, layers);
    }
}
