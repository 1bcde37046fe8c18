using Microsoft.Extensions.Options;

namespace GradDiag.Detectors;

/// <summary>Validates <see cref="DetectorOptions"/> for the options system, failing with one message per invalid option.</summary>
internal sealed class DetectorOptionsValidator : IValidateOptions<DetectorOptions>
{
    public ValidateOptionsResult Validate(string? name, DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
