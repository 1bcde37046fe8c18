using GradDiag.Writers.JsonLines;
using GradDiag.Writers.TensorBoard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GradDiag.Writers;

/// <summary>Registers GradDiag's summary writers inside <c>AddGradDiag(builder => ...)</c>.</summary>
public static class SummaryWriterBuilderExtensions
{
    /// <summary>Adds the TensorBoard event-file writer as an <see cref="ISummaryWriter"/>.</summary>
    /// <param name="builder">The GradDiag builder.</param>
    /// <param name="configure">Sets the writer's options; <see cref="TensorBoardWriterOptions.LogDirectory"/> is required.</param>
    /// <returns>The same builder, so that calls can be chained.</returns>
    /// <remarks>
    /// Calling it twice registers one writer; each <paramref name="configure"/> runs in order. Options are validated
    /// when the host starts (or when the writer is first resolved), and invalid ones throw
    /// <see cref="OptionsValidationException"/> listing every problem.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IGradDiagBuilder AddTensorBoard(this IGradDiagBuilder builder, Action<TensorBoardWriterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<TensorBoardWriterOptions> options = builder.Services.AddOptions<TensorBoardWriterOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TensorBoardWriterOptions>, TensorBoardWriterOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISummaryWriter, TensorBoardSummaryWriter>(services => new TensorBoardSummaryWriter(
            services.GetRequiredService<IOptions<TensorBoardWriterOptions>>().Value,
            services.GetService<ILogger<TensorBoardSummaryWriter>>(),
            services.GetService<TimeProvider>())));
        return builder;
    }

    /// <summary>Adds the JSON Lines writer as an <see cref="ISummaryWriter"/>.</summary>
    /// <param name="builder">The GradDiag builder.</param>
    /// <param name="configure">Sets the writer's options; <see cref="JsonLinesWriterOptions.FilePath"/> is required.</param>
    /// <returns>The same builder, so that calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IGradDiagBuilder AddJsonLines(this IGradDiagBuilder builder, Action<JsonLinesWriterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<JsonLinesWriterOptions> options = builder.Services.AddOptions<JsonLinesWriterOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JsonLinesWriterOptions>, JsonLinesWriterOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISummaryWriter, JsonLinesSummaryWriter>(services => new JsonLinesSummaryWriter(
            services.GetRequiredService<IOptions<JsonLinesWriterOptions>>().Value,
            services.GetService<ILogger<JsonLinesSummaryWriter>>(),
            services.GetService<TimeProvider>())));
        return builder;
    }
}
