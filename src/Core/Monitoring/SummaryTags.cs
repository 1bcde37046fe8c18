namespace GradDiag;

/// <summary>
/// The tags under which the monitor writes its series. Readers of event files use the same names to
/// recover the statistics offline.
/// </summary>
/// <remarks>
/// Per-parameter tags are a prefix followed by the parameter name, for example <c>grad_norm/fc1.weight</c>.
/// Scalars are written for the series chosen in <see cref="GradDiagOptions.ScalarSeries"/>; histograms on
/// histogram steps; <see cref="Parameters"/> once at the first observed step; <see cref="Findings"/> at every
/// step where a finding opens, closes or is observed.
/// </remarks>
public static class SummaryTags
{
    /// <summary>The prefix of the per-parameter gradient L2 norm.</summary>
    public const string GradientNormPrefix = "grad_norm/";

    /// <summary>The prefix of the per-parameter update-to-parameter norm ratio.</summary>
    public const string UpdateRatioPrefix = "update_ratio/";

    /// <summary>The prefix of the per-parameter gradient-to-parameter norm ratio.</summary>
    public const string GradientToParameterRatioPrefix = "grad_param_ratio/";

    /// <summary>The prefix of the per-parameter largest finite |g|.</summary>
    public const string MaxAbsPrefix = "grad_max_abs/";

    /// <summary>The prefix of the per-parameter fraction of zero gradient elements.</summary>
    public const string ZeroFractionPrefix = "grad_zero_fraction/";

    /// <summary>The prefix of the per-parameter non-finite element count, written only when above 0.</summary>
    public const string NonFinitePrefix = "grad_nonfinite/";

    /// <summary>The prefix of the per-parameter gradient histogram with exponential buckets.</summary>
    public const string HistogramPrefix = "grad_hist/";

    /// <summary>The prefix of the per-parameter histogram of log10 |g|.</summary>
    public const string Log10HistogramPrefix = "grad_log10_hist/";

    /// <summary>The global gradient L2 norm before clipping.</summary>
    public const string GlobalNorm = "grad_norm_global";

    /// <summary>The training loss.</summary>
    public const string Loss = "loss";

    /// <summary>The learning rate.</summary>
    public const string LearningRate = "learning_rate";

    /// <summary>The text record with the parameter table (name, layer, depth, shape, trainable) in depth order.</summary>
    public const string Parameters = "graddiag/parameters";

    /// <summary>The text record of a finding's lifecycle change.</summary>
    public const string Findings = "graddiag/findings";
}
