using GradDiag.Cli.Plotting;

namespace GradDiag.Cli.Engines;

/// <summary>The gradient-norm series of one run, as read back from its event files.</summary>
/// <param name="Run">The run's folder relative to the log folder; <c>.</c> for the log folder itself.</param>
/// <param name="Series">The series in depth order with their steps and norms, for plotting; NaN marks a step without a value.</param>
internal sealed record GradientRunLog(string Run, GradientFlowData Series)
{
    /// <summary>Gets the name reports use for the run, for example <c>keras_vanishing/train</c>; defaults to <see cref="Run"/>.</summary>
    public string ReportName { get; init; } = Run;

    /// <summary>
    /// Gets the run's steps as the monitor's offline input, in step order: per-parameter norms, loss and global norm,
    /// with real NaN and infinite norms kept as read. Null when the log carries only <see cref="Series"/>, whose
    /// NaN cells then count as missing values.
    /// </summary>
    public IEnumerable<StepStatistics>? Statistics { get; init; }

    /// <summary>Gets every tag of the run with its kind, such as <c>epoch_loss (scalar)</c>, to say what exists when nothing matched.</summary>
    public IReadOnlyList<string> AvailableTags { get; init; } = [];

    /// <summary>Gets the damage found in the run's event files, one sentence each naming the file and offset.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Gets a value indicating whether the run has at least one gradient-norm series.</summary>
    public bool HasSeries => Series.Layers.Count > 0;
}
