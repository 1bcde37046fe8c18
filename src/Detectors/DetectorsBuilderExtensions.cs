using Microsoft.Extensions.Options;

namespace GradDiag.Detectors;

/// <summary>Registers the built-in detectors on a GradDiag builder.</summary>
public static class DetectorsBuilderExtensions
{
    /// <summary>Registers every built-in detector as an <see cref="IGradientDetector"/>, with shared validated <see cref="DetectorOptions"/>.</summary>
    /// <param name="builder">The GradDiag builder.</param>
    /// <param name="configure">Changes the options; null keeps the defaults.</param>
    /// <returns>The builder, so that calls can be chained.</returns>
    /// <remarks>
    /// Calling it twice, or together with a single detector's <c>AddX</c> method, registers each detector once.
    /// Options are validated when the host starts (or when the first detector is resolved without a host).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="OptionsValidationException">An option is invalid, raised when the options are first resolved.</exception>
    public static IGradDiagBuilder AddDefaultDetectors(this IGradDiagBuilder builder, Action<DetectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        DetectorRegistration.AddOptions(builder, configure);
        return builder
            .AddNonFiniteDetector()
            .AddExplodingDetector()
            .AddVanishingDetector()
            .AddDeadLayerDetector()
            .AddFrozenDetector()
            .AddUpdateRatioDetector();
    }
}
