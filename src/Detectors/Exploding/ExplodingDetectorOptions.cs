namespace GradDiag.Detectors;

/// <summary>Options of the detector that reports gradient norms growing far beyond their own baseline and staying there.</summary>
public sealed class ExplodingDetectorOptions : WindowedDetectorOptions
{
    /// <summary>Initializes the options with their defaults.</summary>
    public ExplodingDetectorOptions()
        : base(ExplodingDetectorConstants.DefaultName, defaultWindow: 20)
    {
    }

    /// <summary>Gets or sets how many times above its baseline a norm must be to count as elevated.</summary>
    /// <value>
    /// Greater than 1. The default is 10 (one order of magnitude). Healthy training noise moves a layer's norm
    /// by a factor of two or three; an order of magnitude that persists is not noise.
    /// </value>
    public double GrowthFactor { get; set; } = 10;

    /// <summary>Gets or sets the growth, in orders of magnitude over one window, that counts as geometric growth.</summary>
    /// <value>
    /// Greater than 0. The default is 1: the robust trend of log10(norm) rises by one order of magnitude within
    /// <see cref="WindowedDetectorOptions.Window"/> steps, which catches a runaway before the norm is 10 times its baseline for a whole window.
    /// </value>
    public double GrowthOrdersPerWindow { get; set; } = 1;

    /// <summary>Gets or sets the number of first observations whose median becomes the initial baseline.</summary>
    /// <value>Between 1 and 10,000. The default is 10: enough for a median to ignore a spike among the first steps.</value>
    public int BaselineSteps { get; set; } = 10;

    /// <summary>Gets or sets the span, in observed steps, of the exponential moving average that lets the baseline follow slow drift.</summary>
    /// <value>
    /// At least 1. The default is 100 steps: norms that drift by a factor of a few over hundreds of steps (warm-up,
    /// convergence) move the baseline with them. Elevated steps never update the baseline.
    /// </value>
    public int BaselineSpan { get; set; } = 100;

    /// <summary>Gets or sets an absolute norm at or above which a step counts as elevated whatever the baseline.</summary>
    /// <value>
    /// Greater than 0. The default is positive infinity (off), because the normal scale of a gradient norm depends on
    /// the model, the loss and the batch size. Set it, for example to 65504 (the largest float16), when a hard limit is known.
    /// </value>
    public double AbsoluteCeiling { get; set; } = double.PositiveInfinity;

    /// <summary>Gets or sets a value indicating whether the global norm is watched as its own series, besides each layer.</summary>
    /// <value>The default is true.</value>
    public bool WatchGlobalNorm { get; set; } = true;

    internal override void Validate(string path, List<string> errors)
    {
        base.Validate(path, errors);
        CheckRange(errors, path, nameof(GrowthFactor), GrowthFactor, 1 + 1e-9, double.MaxValue);
        CheckRange(errors, path, nameof(GrowthOrdersPerWindow), GrowthOrdersPerWindow, 1e-9, 1000);
        CheckRange(errors, path, nameof(AbsoluteCeiling), AbsoluteCeiling, double.Epsilon, double.PositiveInfinity);
        if (BaselineSteps is < 1 or > 10_000)
        {
            errors.Add($"{path}.{nameof(BaselineSteps)} must be between 1 and 10000, but was {BaselineSteps}.");
        }

        if (BaselineSpan < 1)
        {
            errors.Add($"{path}.{nameof(BaselineSpan)} must be at least 1, but was {BaselineSpan}.");
        }
    }
}
