using System.Diagnostics.Metrics;
using GradDiag;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers GradDiag's monitor, options and hosted service in a service collection.</summary>
public static class GradDiagServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="GradientMonitor"/> as a singleton built from the registered writers, detectors and
    /// optional backend, with <see cref="GradDiagOptions"/> validated at start. Calling it again adds nothing twice.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds writers, detectors, a backend or option changes through the builder.</param>
    /// <returns>The service collection, so that calls can be chained.</returns>
    public static IServiceCollection AddGradDiag(this IServiceCollection services, Action<IGradDiagBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<GradDiagOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GradDiagOptions>, GradDiagOptionsValidator>());
        services.TryAddSingleton(CreateMonitor);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GradDiagHostedService>());

        configure?.Invoke(new GradDiagBuilder(services));
        return services;
    }

    /// <summary>
    /// Registers GradDiag as <see cref="AddGradDiag(IServiceCollection, Action{IGradDiagBuilder}?)"/> does and binds
    /// <see cref="GradDiagOptions"/> from the <c>GradDiag</c> section of <paramref name="configuration"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The root configuration; its <c>GradDiag</c> section is bound.</param>
    /// <param name="configure">Adds writers, detectors, a backend or option changes through the builder.</param>
    /// <returns>The service collection, so that calls can be chained.</returns>
    public static IServiceCollection AddGradDiag(this IServiceCollection services, IConfiguration configuration, Action<IGradDiagBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<GradDiagOptions>().Bind(configuration.GetSection(GradDiagOptions.SectionName));
        return services.AddGradDiag(configure);
    }

    private static GradientMonitor CreateMonitor(IServiceProvider provider) => new(
        provider.GetRequiredService<IOptions<GradDiagOptions>>().Value,
        provider.GetServices<ISummaryWriter>(),
        provider.GetServices<IGradientDetector>(),
        provider.GetService<ITrainingBackend>(),
        provider.GetService<ILoggerFactory>(),
        provider.GetService<IMeterFactory>());
}
