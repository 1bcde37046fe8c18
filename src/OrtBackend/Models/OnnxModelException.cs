namespace GradDiag.OrtBackend.Models;

/// <summary>
/// The exception thrown when an ONNX model file or byte buffer is malformed, unsafe or unsupported.
/// Examples are a truncated protobuf, a tensor whose data does not match its declared type and shape,
/// and external data that is missing, too short or outside the model's folder.
/// </summary>
/// <remarks>
/// The message names the source (file path or "bytes"), the field or tensor at fault, and the expected
/// and found values where they apply. The same facts are available as properties.
/// </remarks>
public sealed class OnnxModelException : Exception
{
    /// <summary>Initializes a new instance with a message only.</summary>
    public OnnxModelException()
        : this("The ONNX model is invalid.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    public OnnxModelException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    public OnnxModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that names the source, the field and what was wrong.</summary>
    /// <param name="source">The model file path, or <c>"bytes"</c> for an in-memory model.</param>
    /// <param name="field">The field or tensor at fault, for example <c>initializer 'w1'.external_data.offset</c>.</param>
    /// <param name="problem">What is wrong, as a sentence.</param>
    /// <param name="expected">The expected value, or null when there is none to state.</param>
    /// <param name="found">The value found, or null when there is none to state.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public OnnxModelException(string source, string field, string problem, string? expected = null, string? found = null, Exception? innerException = null)
        : base(FormatMessage(source, field, problem, expected, found), innerException)
    {
        Source = source;
        Field = field;
        Expected = expected;
        Found = found;
    }

    /// <summary>Gets the model file path, or <c>"bytes"</c> for an in-memory model.</summary>
    public new string? Source { get; }

    /// <summary>Gets the field or tensor at fault.</summary>
    public string? Field { get; }

    /// <summary>Gets the expected value, when the message states one.</summary>
    public string? Expected { get; }

    /// <summary>Gets the value found, when the message states one.</summary>
    public string? Found { get; }

    private static string FormatMessage(string source, string field, string problem, string? expected, string? found)
    {
        var message = $"Invalid ONNX model '{source}': {field}: {problem}";
        if (expected is not null)
        {
            message += $" Expected {expected}";
            message += found is null ? "." : $", found {found}.";
        }
        else if (found is not null)
        {
            message += $" Found {found}.";
        }

        return message;
    }
}
