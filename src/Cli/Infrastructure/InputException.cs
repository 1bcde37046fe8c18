namespace GradDiag.Cli.Infrastructure;

/// <summary>
/// An input file or folder that is missing, unreadable or does not fit what the command needs (wrong shape, type
/// or content). The message names the file and, where known, the field, line or column; the command exits with
/// <see cref="ExitCodes.UsageOrInput"/>.
/// </summary>
internal class InputException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public InputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
