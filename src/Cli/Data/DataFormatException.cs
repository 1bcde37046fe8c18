using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Data;

/// <summary>A data file whose content does not fit its format or the command: the message names the file and field, line or column.</summary>
internal sealed class DataFormatException : InputException
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public DataFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public DataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
