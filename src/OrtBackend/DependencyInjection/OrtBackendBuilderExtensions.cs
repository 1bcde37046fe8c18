using GradDiag.OrtBackend.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GradDiag;

/// <summary>Registers the ONNX Runtime training backend inside <c>AddGradDiag(builder => ...)</c>.</summary>
public static class OrtBackendBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="OrtTrainingBackend"/> as the singleton <see cref="ITrainingBackend"/>, unless a backend
    /// is registered, with <see cref="OrtBackendOptions"/> validated when the host starts. The container
    /// disposes the backend when the host stops.
    /// </summary>
    /// <param name="builder">The GradDiag builder.</param>
    /// <param name="configure">Sets the artifacts folder, provider and training options.</param>
    /// <returns>The builder, so that calls can be chained.</returns>
    public static IGradDiagBuilder AddOrtBackend(this IGradDiagBuilder builder, Action<OrtBackendOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<OrtBackendOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrtBackendOptions>, OrtBackendOptionsValidator>());
        return builder.AddBackend(provider => new OrtTrainingBackend(provider.GetRequiredService<IOptions<OrtBackendOptions>>().Value));
    }
}
