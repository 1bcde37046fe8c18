using Microsoft.Extensions.Options;

namespace GradDiag.Detectors;

/// <summary>Creates the built-in detectors without dependency injection, for example for an offline report.</summary>
public static class DefaultDetectors
{
    /// <summary>Creates one instance of each built-in detector, in a fixed order: non-finite, exploding, vanishing, dead layer, frozen, update ratio.</summary>
    /// <param name="options">The options; null for the defaults.</param>
    /// <returns>New detectors, each with its own state.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names every invalid option.</exception>
    public static IReadOnlyList<IGradientDetector> Create(DetectorOptions? options = null)
    {
        options ??= new DetectorOptions();
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(string.Empty, typeof(DetectorOptions), errors);
        }

        return
        [
            new NonFiniteDetector(options.NonFinite),
            new ExplodingDetector(options.Exploding),
            new VanishingDetector(options.Vanishing),
            new DeadLayerDetector(options.DeadLayer),
            new FrozenDetector(options.Frozen),
            new UpdateRatioDetector(options.UpdateRatio),
        ];
    }
}
