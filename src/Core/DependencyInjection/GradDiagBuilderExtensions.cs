using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GradDiag;

/// <summary>Adds options, writers, detectors and a backend to GradDiag inside <c>AddGradDiag(builder => ...)</c>.</summary>
public static class GradDiagBuilderExtensions
{
    /// <summary>Changes <see cref="GradDiagOptions"/> after configuration binding.</summary>
    /// <returns>The builder, so that calls can be chained.</returns>
    public static IGradDiagBuilder Configure(this IGradDiagBuilder builder, Action<GradDiagOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds a summary writer type as a singleton; adding the same type again does nothing.</summary>
    /// <returns>The builder, so that calls can be chained.</returns>
    public static IGradDiagBuilder AddWriter<TWriter>(this IGradDiagBuilder builder)
        where TWriter : class, ISummaryWriter
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISummaryWriter, TWriter>());
        return builder;
    }

    /// <summary>Adds a summary writer instance; the monitor flushes and disposes it when it stops.</summary>
    /// <returns>The builder, so that calls can be chained.</returns>
    public static IGradDiagBuilder AddWriter(this IGradDiagBuilder builder, ISummaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(writer);
        builder.Services.AddSingleton(writer);
        return builder;
    }

    /// <summary>Adds a detector type as a singleton; adding the same type again does nothing.</summary>
    /// <returns>The builder, so that calls can be chained.</returns>
    public static IGradDiagBuilder AddDetector<TDetector>(this IGradDiagBuilder builder)
        where TDetector : class, IGradientDetector
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IGradientDetector, TDetector>());
        return builder;
    }

    /// <summary>Adds a detector instance.</summary>
    /// <returns>The builder, so that calls can be chained.</returns>
    public static IGradDiagBuilder AddDetector(this IGradDiagBuilder builder, IGradientDetector detector)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(detector);
        builder.Services.AddSingleton(detector);
        return builder;
    }

    /// <summary>Registers the training backend that <see cref="GradientMonitor.TrainStep(TrainingBatch)"/> drives, unless one is registered.</summary>
    /// <returns>The builder, so that calls can be chained.</returns>
    public static IGradDiagBuilder AddBackend<TBackend>(this IGradDiagBuilder builder)
        where TBackend : class, ITrainingBackend
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ITrainingBackend, TBackend>();
        return builder;
    }

    /// <summary>Registers a training backend created by <paramref name="factory"/>, unless one is registered.</summary>
    /// <returns>The builder, so that calls can be chained.</returns>
    public static IGradDiagBuilder AddBackend(this IGradDiagBuilder builder, Func<IServiceProvider, ITrainingBackend> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.TryAddSingleton(factory);
        return builder;
    }
}
