namespace GradDiag.Writers.Series;

/// <summary>Settings of <see cref="GradientSeriesExtractor"/>.</summary>
public sealed class GradientSeriesOptions
{
    /// <summary>
    /// Gets the regular expressions (matched case-insensitively against whole scalar tags) that replace the
    /// default gradient-norm recognisers. A pattern with a named group <c>parameter</c> yields a per-parameter
    /// series named by that group; a pattern without it yields the global norm. Empty means use the defaults.
    /// </summary>
    public IList<string> NormTagPatterns { get; } = [];

    /// <summary>
    /// Gets the loss tags to try first, in order and case-insensitively, before the defaults (<c>loss</c>,
    /// <c>train/loss</c>, <c>epoch_loss</c> and similar).
    /// </summary>
    public IList<string> LossTags { get; } = [];

    /// <summary>Gets or sets the text tag holding GradDiag's parameter table. The default is <c>graddiag/parameters</c>.</summary>
    public string ParameterTableTag { get; set; } = "graddiag/parameters";
}
