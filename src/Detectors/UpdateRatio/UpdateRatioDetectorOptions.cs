namespace GradDiag.Detectors;

/// <summary>Options of the detector that reports optimizer updates far too large or too small relative to the weights (live runs only).</summary>
public sealed class UpdateRatioDetectorOptions : WindowedDetectorOptions
{
    /// <summary>Initializes the options with their defaults.</summary>
    public UpdateRatioDetectorOptions()
        : base(UpdateRatioDetectorConstants.DefaultName, defaultWindow: 50)
    {
    }

    /// <summary>Gets or sets the update-to-parameter norm ratio above which updates count as too large.</summary>
    /// <value>
    /// Greater than <see cref="LowRatio"/>. The default is 0.1: each step rewrites a tenth of the layer's weights.
    /// The usual ratio is about 1e-3; Adam with small initial weights reaches a few 1e-2 early in training.
    /// </value>
    public double HighRatio { get; set; } = 0.1;

    /// <summary>Gets or sets the update-to-parameter norm ratio below which updates count as too small.</summary>
    /// <value>Greater than 0. The default is 1e-6, three orders below the usual ratio: the weights barely move.</value>
    public double LowRatio { get; set; } = 1e-6;

    /// <summary>Gets or sets the fraction of the largest learning rate seen below which the low-ratio rule is off.</summary>
    /// <value>
    /// In [0, 1]. The default is 0.1: a schedule that has decayed the learning rate below a tenth of its peak
    /// (the end of a cosine or step schedule) makes small updates on purpose.
    /// </value>
    public double LearningRateDecayFraction { get; set; } = 0.1;

    internal override void Validate(string path, List<string> errors)
    {
        base.Validate(path, errors);
        CheckRange(errors, path, nameof(LowRatio), LowRatio, double.Epsilon, double.MaxValue);
        if (double.IsNaN(HighRatio) || HighRatio <= LowRatio)
        {
            errors.Add(FormattableString.Invariant($"{path}.{nameof(HighRatio)} must be greater than {nameof(LowRatio)} ({LowRatio:G}), but was {HighRatio:G}."));
        }

        CheckRange(errors, path, nameof(LearningRateDecayFraction), LearningRateDecayFraction, 0, 1);
    }
}
