using Microsoft.Extensions.DependencyInjection;

namespace GradDiag;

/// <summary>
/// Configures GradDiag inside <c>services.AddGradDiag(builder => ...)</c>. Assemblies that add writers,
/// detectors or backends extend it with their own <c>AddX</c> extension methods.
/// </summary>
public interface IGradDiagBuilder
{
    /// <summary>Gets the service collection GradDiag registers into.</summary>
    IServiceCollection Services { get; }
}
