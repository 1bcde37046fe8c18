using GradDiag.OrtBackend.Training;
using Microsoft.Extensions.Options;

namespace GradDiag;

/// <summary>Validates <see cref="OrtBackendOptions"/> when the host starts, with the same rules as the backend's constructor.</summary>
internal sealed class OrtBackendOptionsValidator : IValidateOptions<OrtBackendOptions>
{
    public ValidateOptionsResult Validate(string? name, OrtBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
