using Microsoft.Extensions.Options;

namespace GradDiag.Writers.JsonLines;

/// <summary>Checks <see cref="JsonLinesWriterOptions"/> and lists every invalid setting at once.</summary>
internal sealed class JsonLinesWriterOptionsValidator : IValidateOptions<JsonLinesWriterOptions>
{
    public ValidateOptionsResult Validate(string? name, JsonLinesWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.FilePath))
        {
            failures.Add("JsonLinesWriterOptions.FilePath is required; set it to the file to append to, for example \"runs/run1.jsonl\".");
        }

        if (options.QueueCapacity < 2)
        {
            failures.Add($"JsonLinesWriterOptions.QueueCapacity is {options.QueueCapacity}; it must be at least 2.");
        }

        if (options.FlushInterval <= TimeSpan.Zero || options.FlushInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"JsonLinesWriterOptions.FlushInterval is {options.FlushInterval}; it must be more than zero and at most one hour.");
        }

        if (!Enum.IsDefined(options.FullQueuePolicy))
        {
            failures.Add($"JsonLinesWriterOptions.FullQueuePolicy {(int)options.FullQueuePolicy} is not a defined value.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid setting.</summary>
    public static void ThrowIfInvalid(JsonLinesWriterOptions options)
    {
        ValidateOptionsResult result = new JsonLinesWriterOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(JsonLinesWriterOptions), result.Failures);
        }
    }
}
