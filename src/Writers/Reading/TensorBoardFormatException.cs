namespace GradDiag.Writers.Reading;

/// <summary>
/// Thrown when event files cannot be read as TensorBoard data: a log folder without event files, or, with
/// <see cref="CorruptRecordHandling.Throw"/>, a corrupt record. The message names the file and byte offset.
/// </summary>
public sealed class TensorBoardFormatException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public TensorBoardFormatException()
        : base("The data is not valid TensorBoard event data.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TensorBoardFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public TensorBoardFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a problem at a place in a file.</summary>
    public TensorBoardFormatException(string message, string? filePath, long? offset, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        Offset = offset;
    }

    /// <summary>Gets the file the problem was found in, when it concerns one file.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the byte offset of the record the problem was found in, when known.</summary>
    public long? Offset { get; }
}
