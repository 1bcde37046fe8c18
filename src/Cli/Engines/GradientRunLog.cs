using GradDiag.Cli.Plotting;

namespace GradDiag.Cli.Engines;

/// <summary>The gradient-norm series of one run, as read back from its event files.</summary>
/// <param name="Run">The run's folder relative to the log folder; <c>.</c> for the log folder itself.</param>
/// <param name="Series">The series in depth order with their steps and norms.</param>
internal sealed record GradientRunLog(string Run, GradientFlowData Series);
