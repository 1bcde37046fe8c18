namespace GradDiag.OrtBackend.Gradients;

/// <summary>
/// The reverse-mode rule of one operator family: given the gradients of a node's outputs, it emits the
/// nodes that compute the gradients of the node's inputs.
/// </summary>
/// <remarks>
/// Implementations are discovered by <see cref="GradientRuleRegistry"/> (every non-abstract class in this
/// assembly with a public parameterless constructor), so a new rule is one new file in the Rules folder.
/// </remarks>
internal interface IGradientRule
{
    /// <summary>Gets the default-domain operator types this rule handles.</summary>
    IReadOnlyList<string> OpTypes { get; }

    /// <summary>
    /// Gets whether gradients flow through the operator. False for shape arithmetic, comparisons and
    /// constants: their outputs never require a gradient and <see cref="Backward"/> is never called.
    /// </summary>
    bool IsDifferentiable => true;

    /// <summary>
    /// Emits the gradient of every input for which <see cref="GradientContext.RequiresGradient"/> is true
    /// and hands it to <see cref="GradientContext.AddGradient"/>.
    /// </summary>
    void Backward(GradientContext context);
}
