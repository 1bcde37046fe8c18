namespace GradDiag.OrtBackend.Artifacts;

/// <summary>
/// The exception thrown when training artifacts cannot be built or opened: a manifest that is missing,
/// malformed or of an unknown schema version, a source model whose SHA-256 no longer matches, or a model
/// that cannot be trained. The message names the file or field and the expected and found values.
/// </summary>
public sealed class ArtifactException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ArtifactException()
        : this("The training artifacts are invalid.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    public ArtifactException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    public ArtifactException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
