using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GradDiag.OrtBackend.Tests.Training;

public sealed class OrtBackendDependencyInjectionTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void AddOrtBackend_registers_singleton()
    {
        using (BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd))
        {
        }

        var services = new ServiceCollection();
        services.AddGradDiag(builder => builder.AddOrtBackend(o => o.ArtifactsDirectory = directory.File("artifacts")));
        OrtTrainingBackend backend;
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            backend = provider.GetRequiredService<ITrainingBackend>().Should().BeOfType<OrtTrainingBackend>().Subject;
            provider.GetRequiredService<ITrainingBackend>().Should().BeSameAs(backend);
            provider.GetRequiredService<GradientMonitor>().Backend.Should().BeSameAs(backend);
            backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 8)).Should().BeGreaterThan(0);
        }

        var afterDispose = () => backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 8));
        afterDispose.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Invalid_options_fail_at_start()
    {
        var services = new ServiceCollection();
        services.AddGradDiag(builder => builder.AddOrtBackend(o =>
        {
            o.ArtifactsDirectory = "";
            o.GradientAccumulationSteps = 0;
        }));
        using var provider = services.BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        var failures = validate.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.Contains("ArtifactsDirectory"));
        failures.Should().Contain(f => f.Contains("GradientAccumulationSteps"));
    }

    [Fact]
    public void Missing_folder_fails_at_start()
    {
        var missing = directory.File("no-artifacts");
        var services = new ServiceCollection();
        services.AddGradDiag(builder => builder.AddOrtBackend(o => o.ArtifactsDirectory = missing));
        using var provider = services.BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().WithMessage($"*ArtifactsDirectory '{missing}' was not found*");
    }
}
