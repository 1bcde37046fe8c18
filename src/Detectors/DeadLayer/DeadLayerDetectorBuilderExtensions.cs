using Microsoft.Extensions.Options;

namespace GradDiag.Detectors;

/// <summary>Registers the dead-layer detector on a GradDiag builder.</summary>
public static class DeadLayerDetectorBuilderExtensions
{
    /// <summary>Registers the dead-layer detector as an <see cref="IGradientDetector"/>, configured through <see cref="DetectorOptions.DeadLayer"/>.</summary>
    /// <param name="builder">The GradDiag builder.</param>
    /// <param name="configure">Changes the detector's options; null keeps the defaults.</param>
    /// <returns>The builder, so that calls can be chained.</returns>
    /// <remarks>Calling it more than once registers the detector once; every <paramref name="configure"/> applies.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="OptionsValidationException">An option is invalid, raised when the options are first resolved.</exception>
    public static IGradDiagBuilder AddDeadLayerDetector(this IGradDiagBuilder builder, Action<DeadLayerDetectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Action<DetectorOptions>? configureAll = configure is null ? null : options => configure(options.DeadLayer);
        DetectorRegistration.Add(builder, configureAll, options => new DeadLayerDetector(options.DeadLayer));
        return builder;
    }
}
