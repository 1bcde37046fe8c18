using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Engines;

/// <summary>The --fail-on level: the lowest finding severity that makes a command exit with 1, or never.</summary>
/// <param name="Minimum">The lowest failing severity, or null when no finding fails the command.</param>
internal readonly record struct FailOnThreshold(Severity? Minimum)
{
    /// <summary>Gets the accepted values, lowest first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["never", "information", "warning", "error", "critical"];

    /// <summary>Parses one of <see cref="Names"/>, ignoring case.</summary>
    /// <exception cref="UsageException">The value is not one of them.</exception>
    public static FailOnThreshold Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "never" => new FailOnThreshold(null),
            "information" or "info" => new FailOnThreshold(Severity.Information),
            "warning" => new FailOnThreshold(Severity.Warning),
            "error" => new FailOnThreshold(Severity.Error),
            "critical" => new FailOnThreshold(Severity.Critical),
            _ => throw new UsageException($"Invalid --fail-on '{text}': expected one of {string.Join(", ", Names)}."),
        };
    }

    /// <summary>Returns 1 when a finding of any report is at or above the threshold, otherwise 0.</summary>
    public int ExitCodeFor(IEnumerable<RunReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (Minimum is not Severity minimum)
        {
            return ExitCodes.Success;
        }

        bool failing = reports.Any(report => report.Findings.Any(finding => finding.Severity >= minimum));
        return failing ? ExitCodes.FindingsAtOrAboveThreshold : ExitCodes.Success;
    }

    /// <inheritdoc/>
    public override string ToString() => Minimum?.ToString().ToLowerInvariant() ?? "never";
}
