namespace GradDiag.Detectors;

/// <summary>Options of the detector that reports NaN or infinite gradients, loss, parameters or updates.</summary>
public sealed class NonFiniteDetectorOptions : GradientDetectorOptions
{
    /// <summary>Initializes the options with their defaults.</summary>
    public NonFiniteDetectorOptions()
        : base(NonFiniteDetectorConstants.DefaultName)
    {
    }

    /// <summary>Gets or sets a value indicating whether a step with non-finite gradients or loss asks the monitor to skip its optimizer update.</summary>
    /// <value>The default is true: one update with NaN gradients turns every weight it touches into NaN, and no later step can undo it.</value>
    public bool RequestSkipUpdate { get; set; } = true;

    /// <summary>Gets or sets the number of consecutive finite steps after which an open finding closes.</summary>
    /// <value>Between 1 and 100,000. The default is 20, long enough that a run which keeps producing NaN every few steps stays one finding.</value>
    public int RecoverySteps { get; set; } = 20;

    /// <summary>Gets or sets a value indicating whether steps whose update was skipped anyway are ignored.</summary>
    /// <value>
    /// The default is false. Set it to true under dynamic loss scaling (mixed precision), where the scaler
    /// produces infinite gradients on purpose, skips those steps and lowers the scale.
    /// </value>
    public bool IgnoreSkippedSteps { get; set; }

    internal override void Validate(string path, List<string> errors)
    {
        base.Validate(path, errors);
        if (RecoverySteps is < 1 or > 100_000)
        {
            errors.Add($"{path}.{nameof(RecoverySteps)} must be between 1 and 100000, but was {RecoverySteps}.");
        }
    }
}
