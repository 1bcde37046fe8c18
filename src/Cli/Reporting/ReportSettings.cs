using GradDiag.Cli.Engines;

namespace GradDiag.Cli.Reporting;

/// <summary>The settings of <c>graddiag report</c>.</summary>
/// <param name="LogDirectory">The log folder.</param>
/// <param name="TagPatterns">The tag patterns of the gradient-norm series.</param>
/// <param name="Format">The output format.</param>
/// <param name="OutputFile">The output file, or null for standard output.</param>
/// <param name="FailOn">The severity that makes the command exit with 1.</param>
internal sealed record ReportSettings(DirectoryInfo LogDirectory, IReadOnlyList<string> TagPatterns, ReportFormat Format, FileInfo? OutputFile, FailOnThreshold FailOn);
