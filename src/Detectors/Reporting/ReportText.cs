using System.Globalization;

namespace GradDiag.Detectors.Reporting;

/// <summary>Shared pieces of the text formats: grouping keys, names and the key evidence numbers.</summary>
internal static class ReportText
{
    // Evidence values worth showing in a one-line summary, in this order, when a finding has them.
    private static readonly string[] KeyValues =
    [
        "latest", "baseline", "threshold", "ratio", "slope_log10_per_step", "reference_norm", "depth_ratio",
        "latest_zero_fraction", "non_finite_count", "step",
    ];

    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture).Replace('E', 'e');

    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Information => "information",
        Severity.Warning => "warning",
        Severity.Error => "error",
        Severity.Critical => "critical",
        _ => severity.ToString(),
    };

    public static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.Healthy => "healthy",
        Verdict.Warning => "warning",
        Verdict.Failing => "failing",
        _ => verdict.ToString(),
    };

    /// <summary>Returns the series keys a finding belongs to: its layers, or else the part of its id after the detector name (such as <c>loss</c> or <c>global</c>).</summary>
    public static IReadOnlyList<string> GroupKeys(Finding finding)
    {
        if (finding.Layers.Count > 0)
        {
            return finding.Layers;
        }

        string id = finding.Id;
        int occurrence = id.IndexOf('#', StringComparison.Ordinal);
        if (occurrence >= 0)
        {
            id = id[..occurrence];
        }

        string prefix = finding.Detector + ":";
        return [id.StartsWith(prefix, StringComparison.Ordinal) && id.Length > prefix.Length ? id[prefix.Length..] : "run"];
    }

    /// <summary>Returns up to five key evidence numbers as <c>name=value</c> pairs.</summary>
    public static string KeyEvidence(Finding finding)
    {
        var parts = new List<string>();
        foreach (string key in KeyValues)
        {
            if (parts.Count == 5)
            {
                break;
            }

            if (finding.Evidence.Values.TryGetValue(key, out double value) && !double.IsNaN(value))
            {
                parts.Add($"{key}={Number(value)}");
            }
        }

        return string.Join(", ", parts);
    }

    public static string Steps(Finding finding)
    {
        string range = finding.FirstStep == finding.LastStep
            ? finding.FirstStep.ToString(CultureInfo.InvariantCulture)
            : $"{finding.FirstStep.ToString(CultureInfo.InvariantCulture)}–{finding.LastStep.ToString(CultureInfo.InvariantCulture)}";
        return finding.IsOpen ? range + " (open)" : range;
    }
}
