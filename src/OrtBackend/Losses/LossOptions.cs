namespace GradDiag.OrtBackend.Losses;

/// <summary>Settings of <see cref="LossBuilder.Append"/>.</summary>
public sealed class LossOptions
{
    /// <summary>Gets or sets the loss function. Default <see cref="LossKind.MeanSquaredError"/>.</summary>
    public LossKind Kind { get; set; } = LossKind.MeanSquaredError;

    /// <summary>Gets or sets the reduction. Default <see cref="LossReduction.Mean"/>.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>Gets or sets the name of the scalar loss output. Default <c>loss</c>.</summary>
    public string LossName { get; set; } = "loss";

    /// <summary>
    /// Gets or sets the name of the new target input, or null for the default: <c>labels</c> for the
    /// class-index losses and <c>target</c> for the others.
    /// </summary>
    public string? TargetName { get; set; }

    /// <summary>Gets or sets a label that contributes nothing to the loss (class-index losses only), for example -100.</summary>
    public long? IgnoreIndex { get; set; }

    /// <summary>Gets or sets one weight per class (class-index losses only), or null for equal weights.</summary>
    public IReadOnlyList<float>? ClassWeights { get; set; }
}
