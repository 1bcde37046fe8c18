namespace GradDiag.Cli.Infrastructure;

/// <summary>
/// Bad usage found after parsing: an invalid value, a conflicting pair of options or a bad configuration file.
/// The message is one line that names the option or key; the command exits with <see cref="ExitCodes.UsageOrInput"/>.
/// </summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
