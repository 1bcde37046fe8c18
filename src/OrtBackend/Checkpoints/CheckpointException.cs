namespace GradDiag.OrtBackend.Checkpoints;

/// <summary>
/// The exception thrown when a checkpoint file is missing, torn, corrupt, of another format or version, or
/// belongs to another model. The message names the file, the field and the expected and found values.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public CheckpointException()
        : this("The checkpoint is invalid.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    public CheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that names the file, the field and what was wrong.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="field">The field at fault, for example <c>header.magic</c>.</param>
    /// <param name="problem">What is wrong, as a sentence.</param>
    /// <param name="expected">The expected value, or null.</param>
    /// <param name="found">The value found, or null.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public CheckpointException(string path, string field, string problem, string? expected = null, string? found = null, Exception? innerException = null)
        : base(FormatMessage(path, field, problem, expected, found), innerException)
    {
        Path = path;
        Field = field;
    }

    /// <summary>Gets the checkpoint file path.</summary>
    public string? Path { get; }

    /// <summary>Gets the field at fault.</summary>
    public string? Field { get; }

    private static string FormatMessage(string path, string field, string problem, string? expected, string? found)
    {
        var message = $"Invalid checkpoint '{path}': {field}: {problem}";
        if (expected is not null)
        {
            message += found is null ? $" Expected {expected}." : $" Expected {expected}, found {found}.";
        }
        else if (found is not null)
        {
            message += $" Found {found}.";
        }

        return message;
    }
}
