namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Raised when the requested execution provider cannot be created. The message names the missing library
/// or condition and how to run on the CPU instead. The backend does not fall back to the CPU by itself.
/// </summary>
public sealed class ExecutionProviderException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public ExecutionProviderException()
        : base("The execution provider could not be created.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ExecutionProviderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the ONNX Runtime error behind it.</summary>
    public ExecutionProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
