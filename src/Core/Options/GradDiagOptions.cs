namespace GradDiag;

/// <summary>
/// Settings of the <see cref="GradientMonitor"/>, bound from the configuration section <c>GradDiag</c> and
/// validated when the host starts.
/// </summary>
public sealed class GradDiagOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "GradDiag";

    /// <summary>Gets or sets how often statistics are computed, in steps; 1 (the default) observes every step.</summary>
    /// <value>At least 1. A step is observed when it is a multiple of this interval or a histogram step.</value>
    public int StatisticsInterval { get; set; } = 1;

    /// <summary>Gets or sets how often histograms are computed from host gradient values, in steps; 0 turns them off.</summary>
    /// <value>At least 0; the default is 50.</value>
    public int HistogramInterval { get; set; } = 50;

    /// <summary>
    /// Gets or sets the maximum number of threads, the caller's included, for a histogram step whose host gradients
    /// contain at least 65,536 elements. Each thread computes whole parameters. 0 (the default) uses one thread per
    /// processor, and 1 keeps the work on the caller's thread.
    /// </summary>
    /// <value>At least 0.</value>
    public int HistogramThreads { get; set; }

    /// <summary>Gets or sets the scalar series written at each observed step.</summary>
    /// <value>The default is <see cref="ScalarSeries.Default"/>; in configuration a comma-separated list such as <c>"GradientNorm, Loss"</c>.</value>
    public ScalarSeries ScalarSeries { get; set; } = ScalarSeries.Default;

    /// <summary>
    /// Gets or sets a value indicating whether the monitor skips the optimizer update of a step whose gradients
    /// or loss are not finite, and lets detectors request a skip.
    /// </summary>
    /// <value>The default is false.</value>
    public bool SkipNonFiniteUpdates { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether an exception thrown by a writer, a detector or a finding handler
    /// propagates to the training loop instead of being logged and isolated.
    /// </summary>
    /// <value>The default is false.</value>
    public bool FailFast { get; set; }

    /// <summary>Gets or sets the number of one-off observations (such as spikes) kept for the report.</summary>
    /// <value>At least 0; the default is 1000. Later observations are counted in the log but not kept.</value>
    public int MaxObservations { get; set; } = 1000;

    /// <summary>
    /// Gets the name patterns of the parameters that get per-parameter records (norms, ratios and histograms);
    /// empty (the default) logs every parameter.
    /// </summary>
    /// <value>
    /// Globs over the whole name: <c>*</c> matches any run of characters, dots included, and <c>?</c> one
    /// character, for example <c>encoder.*.weight</c>. The filter changes only what writers receive. Statistics,
    /// the global norm, the detectors, the non-finite guard and the report still cover every parameter, so a
    /// problem in a parameter that is not logged is still found.
    /// </value>
    public IList<string> IncludeParameters { get; } = new List<string>();

    /// <summary>Gets the name patterns of parameters that get no per-parameter records, even when <see cref="IncludeParameters"/> matches them.</summary>
    /// <value>Globs with the syntax of <see cref="IncludeParameters"/>; empty by default.</value>
    public IList<string> ExcludeParameters { get; } = new List<string>();

    /// <summary>Gets or sets a callback that receives every finding event, after the <see cref="GradientMonitor.FindingChanged"/> event.</summary>
    public Action<FindingEvent>? OnFinding { get; set; }
}
