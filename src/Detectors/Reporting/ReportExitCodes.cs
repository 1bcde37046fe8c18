namespace GradDiag.Detectors.Reporting;

/// <summary>Turns a report into a process exit code for CI: findings at or above a severity threshold fail the run.</summary>
/// <remarks>
/// Every finding counts, whether it is still open or closed before the run ended: a run whose gradients exploded
/// and recovered still exploded. Observations (such as single spikes) never count.
/// </remarks>
public static class ReportExitCodes
{
    /// <summary>The exit code of a run with no finding at or above the threshold.</summary>
    public const int Healthy = 0;

    /// <summary>The exit code of a run with at least one finding at or above the threshold.</summary>
    public const int FindingsAtOrAboveThreshold = 1;

    /// <summary>The exit code for bad usage or unreadable input, for the command line to use.</summary>
    public const int UsageError = 2;

    /// <summary>Gets the threshold that a <c>--fail-on</c> option defaults to: <see cref="Severity.Error"/>.</summary>
    public static Severity DefaultThreshold => Severity.Error;

    /// <summary>Returns <see cref="Healthy"/> or <see cref="FindingsAtOrAboveThreshold"/> for the report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="threshold">The lowest severity that fails the run.</param>
    /// <returns>The exit code.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static int For(RunReport report, Severity threshold) =>
        FailingFindings(report, threshold).Count > 0 ? FindingsAtOrAboveThreshold : Healthy;

    /// <summary>Returns the findings at or above <paramref name="threshold"/>, in report order.</summary>
    /// <param name="report">The report.</param>
    /// <param name="threshold">The lowest severity that fails the run.</param>
    /// <returns>The failing findings; empty when the run passes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static IReadOnlyList<Finding> FailingFindings(RunReport report, Severity threshold)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Findings.Where(finding => finding.Severity >= threshold).ToList();
    }

    /// <summary>Parses a severity name as a <c>--fail-on</c> value: <c>information</c> (or <c>info</c>), <c>warning</c>, <c>error</c> or <c>critical</c>, in any case.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="severity">The parsed severity, or <see cref="DefaultThreshold"/> when parsing fails.</param>
    /// <returns>True when <paramref name="text"/> names a severity.</returns>
    public static bool TryParseThreshold(string? text, out Severity severity)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "INFORMATION" or "INFO":
                severity = Severity.Information;
                return true;
            case "WARNING":
                severity = Severity.Warning;
                return true;
            case "ERROR":
                severity = Severity.Error;
                return true;
            case "CRITICAL":
                severity = Severity.Critical;
                return true;
            default:
                severity = DefaultThreshold;
                return false;
        }
    }
}
