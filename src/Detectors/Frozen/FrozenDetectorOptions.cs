namespace GradDiag.Detectors;

/// <summary>Options of the detector that reports layers whose parameters are not trainable.</summary>
public sealed class FrozenDetectorOptions : GradientDetectorOptions
{
    /// <summary>Initializes the options with their defaults.</summary>
    public FrozenDetectorOptions()
        : base(FrozenDetectorConstants.DefaultName)
    {
    }
}
