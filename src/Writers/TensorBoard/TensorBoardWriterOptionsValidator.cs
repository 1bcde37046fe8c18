using Microsoft.Extensions.Options;

namespace GradDiag.Writers.TensorBoard;

/// <summary>Checks <see cref="TensorBoardWriterOptions"/> and lists every invalid setting at once.</summary>
internal sealed class TensorBoardWriterOptionsValidator : IValidateOptions<TensorBoardWriterOptions>
{
    public ValidateOptionsResult Validate(string? name, TensorBoardWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.LogDirectory))
        {
            failures.Add("TensorBoardWriterOptions.LogDirectory is required; set it to the folder TensorBoard will read, for example \"runs\".");
        }
        else if (options.LogDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"TensorBoardWriterOptions.LogDirectory '{options.LogDirectory}' contains characters that are invalid in a path.");
        }

        if (options.RunName is not null && !IsValidRunName(options.RunName))
        {
            failures.Add($"TensorBoardWriterOptions.RunName '{options.RunName}' is invalid; use a non-empty folder name without path separators, '.' or '..'.");
        }

        if (options.QueueCapacity < 2)
        {
            failures.Add($"TensorBoardWriterOptions.QueueCapacity is {options.QueueCapacity}; it must be at least 2.");
        }

        if (options.FlushInterval <= TimeSpan.Zero || options.FlushInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"TensorBoardWriterOptions.FlushInterval is {options.FlushInterval}; it must be more than zero and at most one hour.");
        }

        if (!Enum.IsDefined(options.FullQueuePolicy))
        {
            failures.Add($"TensorBoardWriterOptions.FullQueuePolicy {(int)options.FullQueuePolicy} is not a defined value.");
        }

        if (!Enum.IsDefined(options.RunFolderConflict))
        {
            failures.Add($"TensorBoardWriterOptions.RunFolderConflict {(int)options.RunFolderConflict} is not a defined value.");
        }

        if (string.IsNullOrWhiteSpace(options.SourceWriterName) || options.SourceWriterName.Length > 128)
        {
            failures.Add("TensorBoardWriterOptions.SourceWriterName must be 1 to 128 characters; TensorBoard ignores longer names.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid setting.</summary>
    public static void ThrowIfInvalid(TensorBoardWriterOptions options)
    {
        ValidateOptionsResult result = new TensorBoardWriterOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TensorBoardWriterOptions), result.Failures);
        }
    }

    private static bool IsValidRunName(string runName) =>
        !string.IsNullOrWhiteSpace(runName)
        && runName != "."
        && runName != ".."
        && runName.IndexOfAny(['/', '\\']) < 0
        && runName.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) < 0;
}
