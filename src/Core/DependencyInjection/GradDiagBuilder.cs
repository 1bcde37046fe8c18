using Microsoft.Extensions.DependencyInjection;

namespace GradDiag;

/// <summary>The builder handed to the configure callback of <c>AddGradDiag</c>.</summary>
internal sealed class GradDiagBuilder(IServiceCollection services) : IGradDiagBuilder
{
    public IServiceCollection Services { get; } = services;
}
