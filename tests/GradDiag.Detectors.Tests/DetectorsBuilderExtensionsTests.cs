using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GradDiag.Detectors.Tests;

public class DetectorsBuilderExtensionsTests
{
    [Fact]
    public void AddDefaultDetectors_CalledTwice_RegistersEachOnce()
    {
        var builder = new TestBuilder();

        builder.AddDefaultDetectors().AddDefaultDetectors().AddExplodingDetector();
        using ServiceProvider provider = builder.Services.BuildServiceProvider();

        provider.GetServices<IGradientDetector>().Select(d => d.Name).Should().Equal("non-finite", "exploding", "vanishing", "dead-layer", "frozen", "update-ratio");
    }

    [Fact]
    public void AddDefaultDetectors_Configure_AppliesOptions()
    {
        var builder = new TestBuilder();

        builder.AddDefaultDetectors(o => o.Exploding.Name = "boom");
        using ServiceProvider provider = builder.Services.BuildServiceProvider();

        provider.GetServices<IGradientDetector>().Should().Contain(d => d.Name == "boom");
    }

    [Fact]
    public void AddExplodingDetector_Alone_RegistersOnlyIt()
    {
        var builder = new TestBuilder();

        builder.AddExplodingDetector(o => o.GrowthFactor = 20);
        using ServiceProvider provider = builder.Services.BuildServiceProvider();

        provider.GetServices<IGradientDetector>().Should().ContainSingle().Which.Name.Should().Be("exploding");
        provider.GetRequiredService<IOptions<DetectorOptions>>().Value.Exploding.GrowthFactor.Should().Be(20);
    }

    [Fact]
    public void AddDefaultDetectors_InvalidOptions_ThrowsOnResolve()
    {
        var builder = new TestBuilder();
        builder.AddDefaultDetectors(o => o.Vanishing.Window = 0);
        using ServiceProvider provider = builder.Services.BuildServiceProvider();

        Func<List<IGradientDetector>> act = () => provider.GetServices<IGradientDetector>().ToList();

        act.Should().Throw<OptionsValidationException>().WithMessage("*DetectorOptions.Vanishing.Window*");
    }

    [Fact]
    public void AddDefaultDetectors_NullBuilder_Throws()
    {
        Action act = () => DetectorsBuilderExtensions.AddDefaultDetectors(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("builder");
    }

    private sealed class TestBuilder : IGradDiagBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }
}
