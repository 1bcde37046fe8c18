namespace GradDiag;

/// <summary>The scalar series the monitor writes at each observed step; see <see cref="SummaryTags"/> for their tags.</summary>
[Flags]
public enum ScalarSeries
{
    /// <summary>No scalar series.</summary>
    None = 0,

    /// <summary>The L2 norm of each parameter's gradient, <c>grad_norm/&lt;parameter&gt;</c>.</summary>
    GradientNorm = 1 << 0,

    /// <summary>The update norm divided by the parameter norm, <c>update_ratio/&lt;parameter&gt;</c>.</summary>
    UpdateRatio = 1 << 1,

    /// <summary>The gradient norm divided by the parameter norm, <c>grad_param_ratio/&lt;parameter&gt;</c>.</summary>
    GradientToParameterRatio = 1 << 2,

    /// <summary>The largest finite |g| of each parameter, <c>grad_max_abs/&lt;parameter&gt;</c>.</summary>
    MaxAbs = 1 << 3,

    /// <summary>The fraction of zero gradient elements, <c>grad_zero_fraction/&lt;parameter&gt;</c>.</summary>
    ZeroFraction = 1 << 4,

    /// <summary>The number of NaN or infinite gradient elements, <c>grad_nonfinite/&lt;parameter&gt;</c>, written only when above 0.</summary>
    NonFinite = 1 << 5,

    /// <summary>The global gradient norm, <c>grad_norm_global</c>.</summary>
    GlobalNorm = 1 << 6,

    /// <summary>The training loss, <c>loss</c>.</summary>
    Loss = 1 << 7,

    /// <summary>The learning rate, <c>learning_rate</c>.</summary>
    LearningRate = 1 << 8,

    /// <summary>The cheap default: loss, learning rate, global norm, per-parameter norms, update ratios and non-finite counts.</summary>
    Default = GradientNorm | UpdateRatio | NonFinite | GlobalNorm | Loss | LearningRate,

    /// <summary>Every series.</summary>
    All = Default | GradientToParameterRatio | MaxAbs | ZeroFraction,
}
