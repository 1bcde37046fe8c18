using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GradDiag.Detectors;

/// <summary>Registers detectors and their shared, validated options; safe to call more than once.</summary>
internal static class DetectorRegistration
{
    public static void Add<TDetector>(IGradDiagBuilder builder, Action<DetectorOptions>? configure, Func<DetectorOptions, TDetector> create)
        where TDetector : class, IGradientDetector
    {
        AddOptions(builder, configure);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IGradientDetector, TDetector>(
            provider => create(provider.GetRequiredService<IOptions<DetectorOptions>>().Value)));
    }

    public static void AddOptions(IGradDiagBuilder builder, Action<DetectorOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.AddOptions<DetectorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DetectorOptions>, DetectorOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }
    }
}
