namespace GradDiag.OrtBackend.Gradients;

/// <summary>
/// The exception thrown when a gradient graph cannot be built: an operator without a gradient rule, an
/// attribute or opset a rule does not handle, a loss that is not a scalar, or an unknown parameter name.
/// </summary>
public sealed class GradientBuildException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public GradientBuildException()
        : this("The gradient graph could not be built.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    public GradientBuildException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    public GradientBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that names the node at fault.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="opType">The node's operator type.</param>
    /// <param name="nodeName">The node's name (may be empty).</param>
    /// <param name="nodeIndex">The node's position in the graph.</param>
    public GradientBuildException(string message, string opType, string nodeName, int nodeIndex)
        : base(message)
    {
        OpType = opType;
        NodeName = nodeName;
        NodeIndex = nodeIndex;
    }

    /// <summary>Gets the operator type of the node at fault, when one node is at fault.</summary>
    public string? OpType { get; }

    /// <summary>Gets the name of the node at fault, when one node is at fault.</summary>
    public string? NodeName { get; }

    /// <summary>Gets the index of the node at fault in the graph, when one node is at fault.</summary>
    public int? NodeIndex { get; }
}
