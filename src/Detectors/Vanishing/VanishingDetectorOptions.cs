namespace GradDiag.Detectors;

/// <summary>Options of the detector that reports gradients too small to train the layers they reach.</summary>
public sealed class VanishingDetectorOptions : WindowedDetectorOptions
{
    /// <summary>Initializes the options with their defaults.</summary>
    public VanishingDetectorOptions()
        : base(VanishingDetectorConstants.DefaultName, defaultWindow: 50)
    {
    }

    /// <summary>Gets or sets the gradient L2 norm below which a layer's gradient counts as vanished.</summary>
    /// <value>
    /// Greater than 0. The default is 1e-8. Typical layer gradient norms lie between 1e-4 and 10; below 1e-8 an
    /// SGD-style update changes float32 weights by less than their rounding step.
    /// </value>
    public double NormFloor { get; set; } = 1e-8;

    /// <summary>Gets or sets the gradient-to-parameter norm ratio below which a layer's gradient counts as vanished (live runs only).</summary>
    /// <value>Greater than 0. The default is 1e-8, for the same reason as <see cref="NormFloor"/> but independent of the weights' scale.</value>
    public double GradientToParameterRatioFloor { get; set; } = 1e-8;

    /// <summary>Gets or sets the ratio to the largest output-side layer norm below which a layer counts as starved of gradient.</summary>
    /// <value>
    /// In (0, 1). The default is 1e-4 (four orders of magnitude). In healthy MLPs, CNNs and transformers, per-layer
    /// norms differ by one to two orders, mostly from tensor size; saturating activations compound a factor per layer.
    /// </value>
    public double DepthRatio { get; set; } = 1e-4;

    /// <summary>Gets or sets the decline, in orders of magnitude over one window, that counts as steady decay towards zero.</summary>
    /// <value>Greater than 0. The default is 1: the robust trend of log10(norm) falls tenfold within one window.</value>
    public double DecayOrdersPerWindow { get; set; } = 1;

    /// <summary>Gets or sets the relative fall of the loss over one window that shows training still makes progress.</summary>
    /// <value>
    /// In [0, 1). The default is 0.01 (1%). While the loss falls at least this much per window, a decaying gradient
    /// norm is convergence, not vanishing, and the decay rule stays silent.
    /// </value>
    public double MinLossImprovement { get; set; } = 0.01;

    /// <summary>Gets or sets the update-to-parameter ratio at or above which a layer is learning whatever its raw gradient scale (live runs only).</summary>
    /// <value>
    /// Greater than 0. The default is 1e-6. Adaptive optimizers such as Adam rescale tiny gradients into normal
    /// updates, so a layer whose weights still move is not reported.
    /// </value>
    public double HealthyUpdateRatio { get; set; } = 1e-6;

    internal override void Validate(string path, List<string> errors)
    {
        base.Validate(path, errors);
        CheckRange(errors, path, nameof(NormFloor), NormFloor, double.Epsilon, double.MaxValue);
        CheckRange(errors, path, nameof(GradientToParameterRatioFloor), GradientToParameterRatioFloor, double.Epsilon, double.MaxValue);
        CheckRange(errors, path, nameof(DepthRatio), DepthRatio, double.Epsilon, 1 - 1e-12);
        CheckRange(errors, path, nameof(DecayOrdersPerWindow), DecayOrdersPerWindow, 1e-9, 1000);
        CheckRange(errors, path, nameof(MinLossImprovement), MinLossImprovement, 0, 1 - 1e-12);
        CheckRange(errors, path, nameof(HealthyUpdateRatio), HealthyUpdateRatio, double.Epsilon, double.MaxValue);
    }
}
