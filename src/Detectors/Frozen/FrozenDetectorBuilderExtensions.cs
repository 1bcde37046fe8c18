using Microsoft.Extensions.Options;

namespace GradDiag.Detectors;

/// <summary>Registers the frozen-layer detector on a GradDiag builder.</summary>
public static class FrozenDetectorBuilderExtensions
{
    /// <summary>Registers the frozen-layer detector as an <see cref="IGradientDetector"/>, configured through <see cref="DetectorOptions.Frozen"/>.</summary>
    /// <param name="builder">The GradDiag builder.</param>
    /// <param name="configure">Changes the detector's options; null keeps the defaults.</param>
    /// <returns>The builder, so that calls can be chained.</returns>
    /// <remarks>Calling it more than once registers the detector once; every <paramref name="configure"/> applies.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="OptionsValidationException">An option is invalid, raised when the options are first resolved.</exception>
    public static IGradDiagBuilder AddFrozenDetector(this IGradDiagBuilder builder, Action<FrozenDetectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Action<DetectorOptions>? configureAll = configure is null ? null : options => configure(options.Frozen);
        DetectorRegistration.Add(builder, configureAll, options => new FrozenDetector(options.Frozen));
        return builder;
    }
}
