namespace GradDiag.Cli.Engines;

/// <summary>Writes reports in the machine-readable formats of <c>graddiag report</c>.</summary>
internal interface IReportFormatter
{
    /// <summary>Writes <paramref name="reports"/> (one per run) in <paramref name="format"/>, which is never <see cref="ReportFormat.Text"/>.</summary>
    /// <param name="reports">The reports, one per run.</param>
    /// <param name="format">The format.</param>
    /// <param name="failOn">The --fail-on level: JUnit fails test cases at or above it.</param>
    /// <param name="output">Where to write.</param>
    void Write(IReadOnlyList<RunReport> reports, ReportFormat format, FailOnThreshold failOn, TextWriter output);
}
