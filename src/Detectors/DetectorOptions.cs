namespace GradDiag.Detectors;

/// <summary>The options of every built-in detector, one property per detector.</summary>
/// <remarks>
/// The defaults are meant to work for typical MLP, CNN and transformer training without tuning; each option's
/// documentation states its default and the reason for it.
/// </remarks>
public sealed class DetectorOptions
{
    /// <summary>Gets or sets the options of the non-finite detector.</summary>
    public NonFiniteDetectorOptions NonFinite { get; set; } = new();

    /// <summary>Gets or sets the options of the exploding-gradient detector.</summary>
    public ExplodingDetectorOptions Exploding { get; set; } = new();

    /// <summary>Gets or sets the options of the vanishing-gradient detector.</summary>
    public VanishingDetectorOptions Vanishing { get; set; } = new();

    /// <summary>Gets or sets the options of the dead-layer detector.</summary>
    public DeadLayerDetectorOptions DeadLayer { get; set; } = new();

    /// <summary>Gets or sets the options of the frozen-layer detector.</summary>
    public FrozenDetectorOptions Frozen { get; set; } = new();

    /// <summary>Gets or sets the options of the update-ratio detector.</summary>
    public UpdateRatioDetectorOptions UpdateRatio { get; set; } = new();

    /// <summary>Returns one message per invalid option, each naming the option; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        Check(NonFinite, nameof(NonFinite));
        Check(Exploding, nameof(Exploding));
        Check(Vanishing, nameof(Vanishing));
        Check(DeadLayer, nameof(DeadLayer));
        Check(Frozen, nameof(Frozen));
        Check(UpdateRatio, nameof(UpdateRatio));
        return errors;

        void Check(GradientDetectorOptions? options, string property)
        {
            string path = $"{nameof(DetectorOptions)}.{property}";
            if (options is null)
            {
                errors.Add($"{path} must not be null.");
                return;
            }

            options.Validate(path, errors);
            if (!string.IsNullOrWhiteSpace(options.Name) && !names.TryAdd(options.Name, path))
            {
                errors.Add($"{path}.{nameof(GradientDetectorOptions.Name)} '{options.Name}' is already used by {names[options.Name]}; detector names must be unique because they prefix finding ids.");
            }
        }
    }
}
