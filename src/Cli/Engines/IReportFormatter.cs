namespace GradDiag.Cli.Engines;

/// <summary>Writes reports in the machine-readable formats of <c>graddiag report</c>.</summary>
internal interface IReportFormatter
{
    /// <summary>Writes <paramref name="reports"/> (one per run) in <paramref name="format"/>, which is never <see cref="ReportFormat.Text"/>.</summary>
    void Write(IReadOnlyList<RunReport> reports, ReportFormat format, TextWriter output);
}
