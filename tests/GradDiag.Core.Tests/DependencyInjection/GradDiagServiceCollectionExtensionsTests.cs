using GradDiag.Core.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GradDiag.Core.Tests.DependencyInjection;

public class GradDiagServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGradDiag_ResolvesSingletonWithPlugins()
    {
        var writer = new RecordingWriter();
        var detector = new ThresholdDetector(10);
        var backend = new FakeBackend(3);
        var services = new ServiceCollection().AddLogging();
        services.AddGradDiag(builder => builder.AddWriter(writer).AddDetector(detector).AddBackend(_ => backend));
        using ServiceProvider provider = services.BuildServiceProvider();

        GradientMonitor monitor = provider.GetRequiredService<GradientMonitor>();
        monitor.TrainStep(new TrainingBatch());

        provider.GetRequiredService<GradientMonitor>().Should().BeSameAs(monitor);
        monitor.Backend.Should().BeSameAs(backend);
        detector.Steps.Should().Equal(0);
        writer.ScalarSteps("loss").Should().Equal(0);
    }

    [Fact]
    public void AddGradDiag_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();

        services.AddGradDiag().AddGradDiag(builder => builder.AddDetector<QuietDetector>().AddDetector<QuietDetector>());

        services.Count(d => d.ServiceType == typeof(GradientMonitor)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IHostedService)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<GradDiagOptions>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IGradientDetector)).Should().Be(1);
    }

    [Fact]
    public void AddGradDiag_Configuration_BindsSection()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GradDiag:HistogramInterval"] = "10",
            ["GradDiag:StatisticsInterval"] = "5",
            ["GradDiag:ScalarSeries"] = "GradientNorm, Loss",
            ["GradDiag:SkipNonFiniteUpdates"] = "true",
            ["GradDiag:IncludeParameters:0"] = "encoder.*",
            ["GradDiag:ExcludeParameters:0"] = "*.bias",
        }).Build();
        var services = new ServiceCollection();
        services.AddGradDiag(configuration);
        using ServiceProvider provider = services.BuildServiceProvider();

        GradDiagOptions options = provider.GetRequiredService<IOptions<GradDiagOptions>>().Value;

        options.HistogramInterval.Should().Be(10);
        options.StatisticsInterval.Should().Be(5);
        options.ScalarSeries.Should().Be(ScalarSeries.GradientNorm | ScalarSeries.Loss);
        options.SkipNonFiniteUpdates.Should().BeTrue();
        options.IncludeParameters.Should().Equal("encoder.*");
        options.ExcludeParameters.Should().Equal("*.bias");
    }

    [Fact]
    public void AddGradDiag_ConfigureAfterBinding_Wins()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GradDiag:HistogramInterval"] = "10",
        }).Build();
        var services = new ServiceCollection();
        services.AddGradDiag(configuration, builder => builder.Configure(o => o.HistogramInterval = 7));
        using ServiceProvider provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<GradDiagOptions>>().Value.HistogramInterval.Should().Be(7);
    }

    [Theory]
    [InlineData("HistogramInterval", "-5")]
    [InlineData("HistogramThreads", "-1")]
    public void AddGradDiag_InvalidOption_FailsAtStart(string key, string value)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GradDiag:" + key] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddGradDiag(configuration);
        using ServiceProvider provider = services.BuildServiceProvider();

        Action start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage($"*GradDiag:{key}*{value}*");
    }

    [Fact]
    public void AddGradDiag_InvalidOption_FailsAtResolve()
    {
        var services = new ServiceCollection();
        services.AddGradDiag(builder => builder.Configure(o => o.StatisticsInterval = 0));
        using ServiceProvider provider = services.BuildServiceProvider();

        Action resolve = () => provider.GetRequiredService<GradientMonitor>();

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*GradDiag:StatisticsInterval*");
    }

    [Fact]
    public async Task HostedService_Stop_FlushesAndDisposes()
    {
        var writer = new RecordingWriter();
        var backend = new FakeBackend(3);
        var services = new ServiceCollection();
        services.AddGradDiag(builder => builder.AddWriter(writer).AddBackend(_ => backend));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IHostedService hosted = provider.GetServices<IHostedService>().Single();
        await hosted.StartAsync(CancellationToken.None);
        await hosted.StopAsync(CancellationToken.None);

        writer.FlushCount.Should().Be(1);
        writer.DisposeCount.Should().BeGreaterThanOrEqualTo(1);
        backend.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task Container_Dispose_FlushesWriters()
    {
        var writer = new RecordingWriter();
        var services = new ServiceCollection();
        services.AddGradDiag(builder => builder.AddWriter(writer));
        ServiceProvider provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<GradientMonitor>();

        await provider.DisposeAsync();

        writer.FlushCount.Should().Be(1);
    }

    [Fact]
    public void Container_SyncDispose_FlushesWriters()
    {
        var writer = new RecordingWriter();
        var services = new ServiceCollection();
        services.AddGradDiag(builder => builder.AddWriter(writer));
        ServiceProvider provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<GradientMonitor>();

        provider.Dispose();

        writer.FlushCount.Should().Be(1);
    }

    private sealed class QuietDetector : IGradientDetector
    {
        public string Name => "quiet";

        public IReadOnlyList<Finding> Findings => [];

        public void Observe(StepStatistics statistics, IDetectorContext context)
        {
        }

        public void Complete(IDetectorContext context)
        {
        }

        public void Reset()
        {
        }
    }
}
